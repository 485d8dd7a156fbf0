using System.Globalization;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary><c>file: out.m3u8</c>: an HLS playlist and its MPEG-TS segments, probed by ffprobe, appearing only when complete.</summary>
public class HlsOutputTests
{
    private static (int Frames, double Duration) Probe(string path)
    {
        var (code, output) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames:format=duration", "-of", "default=nw=1", path);
        Assert.True(code == 0, output);
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1].Trim()); // MPEG-TS lists streams twice (program, stream)
        return (int.Parse(values["nb_read_frames"], CultureInfo.InvariantCulture), double.Parse(values["duration"], CultureInfo.InvariantCulture));
    }

    [RequiresLibAvFact]
    public async Task M3u8_ClipWithAudio_PlaylistHoldsEveryFrameAndTheInputsDurationInTwoSecondSegments()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 160, 120, 5);
        string playlist = dir.File("out.m3u8");
        // A stage left by a dead run (its partial playlist is gone) is cleared on the way.
        Directory.CreateDirectory(dir.File(".out.deadhost-1-0.partial.m3u8.segments"));

        await new VideoPipeline(new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sharpen], [new FileSinkSpec(playlist)]), new PipelineOptions())
            .RunAsync(CancellationToken.None);

        var (frames, duration) = Probe(playlist);
        var (inFrames, inDuration) = Probe(input);
        Assert.Equal(inFrames, frames);
        Assert.Equal(inDuration, duration, 0.05);
        Assert.Equal("aac", MediaClips.Stream(playlist, "a:0").Text("codec_name"));
        var lines = File.ReadAllLines(playlist);
        Assert.Contains("#EXT-X-ENDLIST", lines);
        Assert.Equal(["out0.ts", "out1.ts", "out2.ts"], lines.Where(l => l.EndsWith(".ts", StringComparison.Ordinal)));
        Assert.Equal(["in.mp4", "out.m3u8", "out0.ts", "out1.ts", "out2.ts"],
            Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // no stage, no partial
    }

    [RequiresLibAvFact]
    public void M3u8_SegmentsOfAnEarlierRunExist_RefusedBeforeStartingWithoutOverwrite()
    {
        using var dir = new TempDir();
        string segment = dir.File("out0.ts");
        File.WriteAllText(segment, "an earlier run's segment");
        var spec = new PipelineSpec(new PatternSourceSpec(64, 64, 30, 3), [], [new FileSinkSpec(dir.File("out.m3u8"))]);

        var ex = Assert.Throws<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite: false));

        Assert.Contains("HLS segment 'out0.ts'", ex.Message);
        Assert.Contains("--overwrite", ex.Message);
        VideoPipeline.Validate(spec, overwrite: true);
        Assert.Equal("an earlier run's segment", File.ReadAllText(segment));
    }

    [RequiresLibAvTheory]
    [InlineData("out.ts", "hls", "give the sink a .m3u8 file name")]
    [InlineData("-", "hls", "give the sink a .m3u8 file name")]
    [InlineData("out.mkv", "segment", "the segment muxer writes files of its own")]
    public void MuxerThatWritesItsOwnFiles_OutsideAPlaylist_RefusedBeforeStarting(string file, string format, string fragment)
    {
        using var dir = new TempDir();
        var spec = new PipelineSpec(new PatternSourceSpec(64, 64, 30, 3), [], [new FileSinkSpec(file == "-" ? file : dir.File(file)) { Format = format }]);

        var ex = Assert.Throws<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite: false));

        Assert.Contains(fragment, ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
