using OpenCvSharp;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>
/// The built <c>videoconv</c> on every kind of bad video input a user has: one line on stderr naming the
/// file, a non-zero exit, no stack trace, and nothing left at (or beside) the output path.
/// </summary>
public sealed class BadInputMatrixTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Config = "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 5}\nchain: [sharpen]\nsinks:\n  - file: out.mkv\n";

    private VideoconvProcess.Result RunOn(string input)
    {
        _dir.Write("job.yaml", Config);
        return VideoconvProcess.Run(_dir.Path, "run", "job.yaml", "--input", input);
    }

    private string Clip(string name, double seconds = 2) =>
        SystemFfmpeg.Encode(_dir.Combine(name), seconds, "160x90", "-c:v", "libx264", "-pix_fmt", "yuv420p");

    private string FirstHalfOf(string source, string name)
    {
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(_dir.Combine(name), bytes[..(bytes.Length / 2)]);
        return name;
    }

    /// <summary>Asserts the contract for an input that cannot be read at all.</summary>
    private void AssertRefused(VideoconvProcess.Result r, string input, string expected, int exitCode = 1)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        // One error line; a run without the FFmpeg libraries also says once which features it lacks (a warning).
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("videoconv: warning: the system FFmpeg", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, $"expected one stderr line:\n{r}");
        Assert.Contains(input, lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Exception", r.StdErr);
        AssertNoOutput();
    }

    private void AssertNoOutput()
    {
        var left = Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Where(n => n!.StartsWith("out", StringComparison.Ordinal) || n.Contains(".partial")).ToList();
        Assert.True(left.Count == 0, $"left behind: {string.Join(", ", left)}");
    }

    [Fact]
    public void Missing_IsExit2_NamesTheFile_NoOutput()
    {
        var r = RunOn("missing.mp4");
        AssertRefused(r, "missing.mp4", "does not exist", exitCode: 2);
    }

    [Fact]
    public void PatternFramesTooBigForMemory_AreRefusedBeforeAnyFrame_Exit2()
    {
        _dir.Write("huge.yaml", "source:\n  pattern: {width: 100000, height: 100000, fps: 30, frames: 5}\nsinks:\n  - file: out.mkv\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", "huge.yaml");
        Assert.True(r.ExitCode == 2, r.ToString());
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("huge.yaml:2:", line);
        Assert.Contains("100000", line);
        AssertNoOutput();
    }

    [Fact]
    public void Empty_IsExit1_SaysEmpty_NoOutput()
    {
        File.WriteAllBytes(_dir.Combine("empty.mp4"), []);
        AssertRefused(RunOn("empty.mp4"), "empty.mp4", "empty (0 bytes)");
    }

    [Fact]
    public void RandomBytes_IsExit1_SaysUnreadable_NoOutput()
    {
        var random = new Random(6);
        var bytes = new byte[64 * 1024];
        random.NextBytes(bytes);
        File.WriteAllBytes(_dir.Combine("noise.mp4"), bytes);
        AssertRefused(RunOn("noise.mp4"), "noise.mp4", "not a video");
    }

    [RequiresFfmpegFact]
    public void TruncatedMp4_IsExit1_SaysUnreadable_NoOutput()
    {
        // ffmpeg writes an MP4's index (moov) at the end: the first half has no index and cannot be opened.
        var name = FirstHalfOf(Clip("whole.mp4"), "half.mp4");
        AssertRefused(RunOn(name), name, "not a video");
    }

    [RequiresFfmpegFact]
    public void TruncatedMkv_KeepsTheFramesBeforeTheBreak_Exit1_NamesFileAndFrame()
    {
        var name = TruncatedMkv("half.mkv");

        var r = RunOn(name);

        Assert.True(r.ExitCode == 1, r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.ToString());
        Assert.Matches(@"half\.mkv' broke at frame (\d+): its container declares 120 frames", lines[0]);
        long brokeAt = long.Parse(System.Text.RegularExpressions.Regex.Match(lines[0], @"broke at frame (\d+)").Groups[1].Value);
        Assert.InRange(brokeAt, 1, 119);
        // Everything decoded before the break is in a finalized, decodable output.
        Assert.Equal(brokeAt, SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));
    }

    private string TruncatedMkv(string name)
    {
        var whole = Clip("whole.mp4", seconds: 4);
        var mkv = _dir.Combine("whole.mkv");
        using (var p = System.Diagnostics.Process.Start("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-i", whole, "-c", "copy", mkv])) p.WaitForExit();
        return FirstHalfOf(mkv, name);
    }

    [RequiresFfmpegFact]
    public void Batch_TruncatedMkv_KeepsItsFinalizedOutput_ButCountsAsFailed_Exit1()
    {
        var name = TruncatedMkv("half.mkv");
        _dir.Write("job.yaml", Config);
        var r = VideoconvProcess.Run(_dir.Path, "batch", "job.yaml", "--out", "done", name);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("broke at frame", r.StdOut);
        Assert.InRange(SystemFfmpeg.CountFrames(_dir.Combine("done", "half.mkv")), 1, 119);
        Assert.Empty(Directory.GetFiles(_dir.Combine("done"), "*.partial*"));
    }

    [RequiresFfmpegFact]
    public void WrongExtension_Mp4RenamedAvi_JustWorks()
    {
        File.Move(Clip("clip.mp4"), _dir.Combine("clip.avi"));
        var r = RunOn("clip.avi");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(60, SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")));
    }

    [RequiresFfmpegFact]
    public void ZeroFrames_IsExit1_NamesTheFile_NoOutput()
    {
        SystemFfmpeg.Encode(_dir.Combine("zero.mp4"), 1, "160x90", "-c:v", "libx264", "-frames:v", "0");
        var r = RunOn("zero.mp4");
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("zero.mp4", line);
        Assert.Matches("not a video|no video frames", line);
        AssertNoOutput();
    }

    [RequiresAv1EncoderFact]
    public void UnsupportedCodec_Av1_IsExit1_NamesFileAndCodec_NoOutput()
    {
        // OpenCV's bundled FFmpeg has no software AV1 decoder (only hardware-accelerated ones), so AV1 is a
        // codec it lacks; the OpenCV path is forced here. On a build that can decode it the input is simply
        // supported, and must work.
        SystemFfmpeg.Encode(_dir.Combine("av1.mkv"), 1, "160x96", "-c:v", RequiresAv1EncoderFactAttribute.Encoder!);
        bool decodable;
        using (var probe = new VideoCapture(_dir.Combine("av1.mkv"), VideoCaptureAPIs.FFMPEG))
        using (var frame = new Mat())
            decodable = probe.Read(frame) && !frame.Empty();
        _dir.Write("job.yaml", Config + "    codec: FFV1\n"); // without the libraries, .mkv's default H.264 is refused (the OpenCV writer has none)
        var r = VideoconvProcess.Run(_dir.Path, new Dictionary<string, string?> { ["VIDEOCONV_NO_LIBAV"] = "1" }, "run", "job.yaml", "--input", "av1.mkv");
        if (decodable) Assert.True(r.ExitCode == 0, r.ToString());
        else AssertRefused(r, "av1.mkv", "'AV01' video stream that OpenCV's FFmpeg cannot decode");
    }

    [RequiresAv1EncoderFact(needsFfmpegLibraries: true)]
    public void Av1_WithSystemFfmpegLibraries_Decodes()
    {
        SystemFfmpeg.Encode(_dir.Combine("av1.mkv"), 1, "160x96", "-c:v", RequiresAv1EncoderFactAttribute.Encoder!);
        var r = RunOn("av1.mkv");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(SystemFfmpeg.CountFrames(_dir.Combine("av1.mkv")), SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")));
    }
}

/// <summary>Skipped, visibly, when the system ffmpeg has no AV1 encoder to make the unsupported-codec input.</summary>
public sealed class RequiresAv1EncoderFactAttribute : FactAttribute
{
    public static string? Encoder { get; } = SystemFfmpeg.Available
        ? new[] { "libsvtav1", "libaom-av1", "librav1e" }.FirstOrDefault(SystemFfmpeg.HasEncoder)
        : null;

    public RequiresAv1EncoderFactAttribute(bool needsFfmpegLibraries = false)
    {
        if (Encoder is null) Skip = "skipped: the system ffmpeg has no AV1 encoder (libsvtav1, libaom-av1 or librav1e) to make an input in a codec OpenCV's FFmpeg lacks";
        else if (needsFfmpegLibraries && !VideoConv.Pipeline.SystemTools.HasFfmpegLibraries)
            Skip = "skipped: the system FFmpeg 5.1 libraries do not load in-process here";
    }
}
