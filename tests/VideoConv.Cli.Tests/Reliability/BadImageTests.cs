using OpenCvSharp;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>Unreadable, empty, 16-bit and float images through the <c>images:</c> source and the <c>image</c> verb, on the built binary.</summary>
public sealed class BadImageTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Config = "source:\n  images: in/*.{0}\nchain: [sharpen]\nsinks:\n  - images: out/%03d.png\n";

    private void WriteImage(string name, MatType type, Scalar value)
    {
        Directory.CreateDirectory(_dir.Combine("in"));
        using var m = new Mat(24, 32, type, value);
        Assert.True(Cv2.ImWrite(_dir.Combine("in", name), m), $"OpenCV cannot write {name}");
    }

    private VideoconvProcess.Result RunImages(string extension)
    {
        _dir.Write("job.yaml", string.Format(Config, extension));
        return VideoconvProcess.Run(_dir.Path, "run", "job.yaml");
    }

    private static string OneLine(VideoconvProcess.Result r)
    {
        Assert.DoesNotContain("   at ", r.StdErr);
        return Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ImagesSource_SixteenBit_IsScaledTo8Bit_AndRuns()
    {
        WriteImage("a.png", MatType.CV_16UC3, Scalar.All(257 * 200));
        var r = RunImages("png");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var output = Cv2.ImRead(_dir.Combine("out", "001.png"), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_8UC3, output.Type());
        Assert.Equal(200, output.At<Vec3b>(12, 16).Item0);
    }

    [Fact]
    public void ImagesSource_Float_IsRefusedNamingTheFile_Exit1_NoOutput()
    {
        WriteImage("a.tif", MatType.CV_32FC3, Scalar.All(0.5));
        var r = RunImages("tif");
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = OneLine(r);
        Assert.Contains("a.tif", line);
        Assert.Contains("floating-point samples", line);
        Assert.False(Directory.Exists(_dir.Combine("out")) && Directory.GetFiles(_dir.Combine("out")).Length > 0);
    }

    [Fact]
    public void ImagesSource_EmptyFile_IsRefusedNamingTheFile_Exit1()
    {
        Directory.CreateDirectory(_dir.Combine("in"));
        File.WriteAllBytes(_dir.Combine("in", "a.png"), []);
        var r = RunImages("png");
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = OneLine(r);
        Assert.Contains("a.png", line);
        Assert.Contains("empty (0 bytes)", line);
    }

    [Fact]
    public void ImagesSource_UnreadableFileMidSequence_FailsNamingThatFile_Exit1()
    {
        WriteImage("a.png", MatType.CV_8UC3, Scalar.All(90));
        File.WriteAllText(_dir.Combine("in", "b.png"), "not a png");
        var r = RunImages("png");
        Assert.True(r.ExitCode == 1, r.ToString());
        var line = OneLine(r);
        Assert.Contains("b.png", line);
        Assert.Contains("not an image", line);
    }

    [Fact]
    public void ImageVerb_FloatImage_IsRefusedClearly_Exit1()
    {
        WriteImage("f.tif", MatType.CV_32FC1, Scalar.All(0.25));
        var r = VideoconvProcess.Run(_dir.Path, "image", "in/f.tif", "out.png", "--filter", "sharpen");
        Assert.True(r.ExitCode != 0, r.ToString());
        var line = OneLine(r);
        Assert.Contains("f.tif", line);
        Assert.Contains("32-bit float", line);
        Assert.False(File.Exists(_dir.Combine("out.png")));
    }

    [Fact]
    public void ImageVerb_ZeroByteImage_IsRefusedClearly()
    {
        File.WriteAllBytes(_dir.Combine("z.png"), []);
        var r = VideoconvProcess.Run(_dir.Path, "image", "z.png", "out.png", "--filter", "sharpen");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("z.png", OneLine(r));
        Assert.False(File.Exists(_dir.Combine("out.png")));
    }
}
