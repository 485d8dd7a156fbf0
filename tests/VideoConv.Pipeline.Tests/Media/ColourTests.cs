using OpenCvSharp;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>
/// Colour metadata (range, primaries, transfer, matrix) carried from input to output, and the YUV ↔ BGR conversions made
/// with the input's matrix and range: on clips tagged by the system ffmpeg, inspected by ffprobe and decoded by ffmpeg.
/// </summary>
public class ColourTests
{
    private const string Fields = "pix_fmt,color_range,color_space,color_primaries,color_transfer";

    private static string Clip(TempDir dir, string name, string matrix, string range)
    {
        string path = dir.File(name);
        var (code, output) = TestMedia.Run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "10",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-color_primaries", matrix, "-color_trc", matrix, "-colorspace", matrix, "-color_range", range, path);
        Assert.True(code == 0, output);
        return path;
    }

    // PSNR (dB) over all frames of two clips, each decoded to BGR by the ffmpeg command (with the matrix each is tagged with).
    private static double Psnr(string a, string b)
    {
        var x = TestMedia.DecodeWithFfmpegCommand(a, 160, 120);
        var y = TestMedia.DecodeWithFfmpegCommand(b, 160, 120);
        try
        {
            Assert.Equal(x.Count, y.Count);
            return x.Zip(y, (p, q) => Cv2.PSNR(p, q)).Average();
        }
        finally { foreach (var m in x.Concat(y)) m.Dispose(); }
    }

    [RequiresLibAvTheory]
    [InlineData("bt709", "tv")]
    [InlineData("smpte170m", "pc")]
    public async Task H264_TaggedInput_OutputCarriesItsColourAndIsConvertedWithItsMatrix(string matrix, string range)
    {
        using var dir = new TempDir();
        string input = Clip(dir, "in.mp4", matrix, range);
        string output = dir.File("out.mp4"), lossless = dir.File("lossless.mkv");

        await new VideoPipeline(new PipelineSpec(new FileSourceSpec(input), [], [new FileSinkSpec(output), new FileSinkSpec(lossless, "ffv1")]), new PipelineOptions())
            .RunAsync(CancellationToken.None);

        var expected = MediaClips.Stream(input, "v:0", Fields);
        Assert.Equal(range, expected.Text("color_range"));
        Assert.Equal(expected, MediaClips.Stream(output, "v:0", Fields));

        // Decoded as ffmpeg's CLI decodes (the stream's matrix and range): the lossless BGR output is its frames exactly.
        var source = TestMedia.DecodeWithFfmpegCommand(input, 160, 120);
        var kept = TestMedia.DecodeWithFfmpegCommand(lossless, 160, 120);
        try
        {
            Assert.Equal(10, kept.Count);
            for (int i = 0; i < kept.Count; i++) Assert.True(TestMedia.CountDifferent(source[i], kept[i]) == 0, $"frame {i} differs from ffmpeg's decode");
        }
        finally { foreach (var m in source.Concat(kept)) m.Dispose(); }

        // Encoded back with the same matrix and range: as close to the input as ffmpeg's own conversion told the matrix
        // (scale=out_color_matrix), and far closer than its default (BT.601 limited for any BGR input, only tagged).
        string told = dir.File("told.mp4"), untold = dir.File("untold.mp4");
        string swsMatrix = matrix == "bt709" ? "bt709" : "bt601";
        foreach (var (path, scale) in new[] { (told, $"scale=out_color_matrix={swsMatrix}:out_range={range}:flags=bicubic+accurate_rnd,format=yuv420p"), (untold, "format=yuv420p") })
        {
            var (code, made) = TestMedia.Run("ffmpeg", "-v", "error", "-y", "-i", lossless, "-vf", scale, "-c:v", "libx264",
                "-color_primaries", matrix, "-color_trc", matrix, "-colorspace", matrix, "-color_range", range, path);
            Assert.True(code == 0, made);
        }
        double ours = Psnr(output, input), reference = Psnr(told, input), naive = Psnr(untold, input);
        Assert.True(Math.Abs(ours - reference) < 0.5, $"ours {ours:F2} dB, ffmpeg told the matrix {reference:F2} dB");
        Assert.True(ours > naive + 3, $"ours {ours:F2} dB, ffmpeg's default conversion {naive:F2} dB");
    }

    [RequiresLibAvFact]
    public async Task Pattern_HasNoColourOfItsOwn_OutputStaysUntagged()
    {
        using var dir = new TempDir();
        string output = dir.File("out.mp4");

        await new VideoPipeline(new PipelineSpec(new PatternSourceSpec(64, 64, 30, 3), [], [new FileSinkSpec(output)]), new PipelineOptions()).RunAsync(CancellationToken.None);

        var stream = MediaClips.Stream(output, "v:0", Fields);
        Assert.Equal(("yuv420p", "unknown", "unknown"), (stream.Text("pix_fmt"), stream.Text("color_space"), stream.Text("color_primaries")));
    }
}
