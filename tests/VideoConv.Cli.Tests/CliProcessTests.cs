using OpenCvSharp;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests;

/// <summary>The built <c>videoconv</c> binary driven as a child process: verbs, exit codes, messages.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private VideoconvProcess.Result Run(params string[] args) => VideoconvProcess.Run(_dir.Path, args);

    private static void NoStackTrace(VideoconvProcess.Result r)
    {
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Exception", r.StdErr);
    }

    private const string FoundingInput = "[[1,2,0,3,1],[0,1,2,3,1],[1,2,1,0,0],[5,2,3,1,1],[2,1,0,1,1]]";
    private const string FoundingKernel = "[[1,2,1],[0,1,0],[2,1,0]]";

    private static int[][] ReadMatrix(string path) =>
        File.ReadAllLines(path).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()).ToArray();

    [Fact]
    public void Help_ListsEveryVerb()
    {
        var r = Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var verb in new[] { "run", "batch", "image", "validate", "filters" }) Assert.Contains(verb, r.StdOut);
    }

    [Theory]
    [InlineData("run", "--stats-json"), InlineData("batch", "--out"), InlineData("image", "--filter"), InlineData("validate", "FILE"), InlineData("filters", "NAME")]
    public void VerbHelp_ShowsItsOptions(string verb, string option)
    {
        var r = Run(verb, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(option, r.StdOut);
    }

    [Fact]
    public void UnknownVerb_IsBadUsage_WithSuggestion()
    {
        var r = Run("valdate", "x.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("did you mean 'validate'?", r.StdErr);
    }

    [Fact]
    public void UnknownOption_IsBadUsage_WithSuggestion()
    {
        var r = Run("run", "x.yaml", "--overwrit");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("did you mean '--overwrite'?", r.StdErr);
        NoStackTrace(r);
    }

    [Fact]
    public void Filters_ListsTheLibrary()
    {
        var r = Run("filters");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in new[] { "identity", "gaussian", "sobel-x", "scharr", "emboss" }) Assert.Contains(name, r.StdOut);
        Assert.Contains("3x3", r.StdOut);
    }

    [Fact]
    public void FiltersName_PrintsTheFile()
    {
        var r = Run("filters", "sharpen");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("[-1,  5, -1]", r.StdOut);
    }

    [Fact]
    public void Image_FoundingExample_Stride1Padding0_Is3x3()
    {
        var input = _dir.Write("in.txt", FoundingInput);
        var r = Run("image", input, "out.txt", "--filter", $"{{kernel: {FoundingKernel}, stride: 1, padding: 0}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([[10, 12, 12], [18, 16, 16], [13, 9, 3]], ReadMatrix(_dir.Combine("out.txt")));
    }

    [Fact]
    public void Image_FoundingExample_Stride2_Is2x2()
    {
        _dir.Write("in.txt", FoundingInput);
        _dir.Write("k.yaml", $"kernel: {FoundingKernel}\nstride: 2\npadding: 0\n");
        var r = Run("image", "in.txt", "out.csv", "--filter", "k.yaml");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([[10, 12], [13, 3]], ReadMatrix(_dir.Combine("out.csv")));
        Assert.Equal("10,12", File.ReadAllLines(_dir.Combine("out.csv"))[0]);
    }

    [Fact]
    public void Image_FoundingExample_Padding1_Is5x5WithZeroBorder()
    {
        // One value per line and row per line, whitespace separated: the plain text form.
        _dir.Write("in.txt", "1 2 0 3 1\n0 1 2 3 1\n1 2 1 0 0\n5 2 3 1 1\n2 1 0 1 1\n");
        var r = Run("image", "in.txt", "out.txt", "--filter", $"{{kernel: {FoundingKernel}, padding: 1}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [[1, 3, 4, 10, 8], [5, 10, 12, 12, 6], [7, 18, 16, 16, 8], [11, 13, 9, 3, 4], [14, 13, 9, 7, 4]],
            ReadMatrix(_dir.Combine("out.txt")));
    }

    [Fact]
    public void Image_BadMatrixValue_IsLocated()
    {
        _dir.Write("in.txt", "1 2 3\n4 300 6\n");
        var r = Run("image", "in.txt", "out.txt", "--filter", "identity");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("in.txt:2:3: error: '300' is not a whole number from 0 to 255", r.StdErr);
        NoStackTrace(r);
    }

    [Fact]
    public void Image_PngRoundTrip_MatchesOpenCvFilter2D()
    {
        using var src = new Mat(48, 64, MatType.CV_8UC3);
        Cv2.Randu(src, Scalar.All(0), Scalar.All(256));
        Cv2.ImWrite(_dir.Combine("in.png"), src);
        var r = Run("image", "in.png", "out.png", "--filter", "sharpen");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 });
        using var expected = new Mat();
        Cv2.Filter2D(src, expected, -1, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
        using var actual = Cv2.ImRead(_dir.Combine("out.png"), ImreadModes.Unchanged);
        Assert.Equal(3, actual.Channels());
        using var diff = new Mat();
        Cv2.Absdiff(expected, actual, diff);
        Assert.Equal(0, Cv2.CountNonZero(diff.Reshape(1)));
    }

    [Fact]
    public void Image_GreyStaysGrey_AndAChainApplies()
    {
        using var src = new Mat(40, 50, MatType.CV_8UC1);
        Cv2.Randu(src, Scalar.All(0), Scalar.All(256));
        Cv2.ImWrite(_dir.Combine("in.pgm"), src);
        var r = Run("image", "in.pgm", "out.png", "--filter", "gaussian", "--filter", "sobel");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var actual = Cv2.ImRead(_dir.Combine("out.png"), ImreadModes.Unchanged);
        Assert.Equal(1, actual.Channels());
        Assert.Equal(new Size(50, 40), actual.Size());
    }

    [Fact]
    public void Image_SixteenBit_IsConvertedWithANote()
    {
        using var src = new Mat(8, 8, MatType.CV_16UC1, Scalar.All(65535));
        Cv2.ImWrite(_dir.Combine("in16.png"), src);
        var r = Run("image", "in16.png", "out.png", "--filter", "identity");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("16-bit", r.StdErr);
        using var actual = Cv2.ImRead(_dir.Combine("out.png"), ImreadModes.Unchanged);
        Assert.Equal(255, actual.At<byte>(0, 0));
    }

    [Fact]
    public void Image_Float_IsRefusedClearly()
    {
        using var src = new Mat(8, 8, MatType.CV_32FC1, Scalar.All(0.5));
        Cv2.ImWrite(_dir.Combine("in.tiff"), src);
        var r = Run("image", "in.tiff", "out.png", "--filter", "identity");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("32-bit float", r.StdErr);
        NoStackTrace(r);
    }

    [Fact]
    public void Image_MissingInput_IsBadUsage()
    {
        var r = Run("image", "nope.png", "out.png", "--filter", "identity");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", r.StdErr);
        NoStackTrace(r);
    }

    [Fact]
    public void Image_UnknownOutputType_IsRefusedBeforeWork()
    {
        _dir.Write("in.txt", "1 2\n3 4\n");
        var r = Run("image", "in.txt", "out.xyz", "--filter", "identity");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown image type '.xyz'", r.StdErr);
    }

    [Fact]
    public void Image_UnknownFilter_Suggests()
    {
        _dir.Write("in.txt", "1 2\n3 4\n");
        var r = Run("image", "in.txt", "out.txt", "--filter", "sobelx");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("did you mean 'sobel-x'?", r.StdErr);
    }

    [Fact]
    public void Image_EmptyOutput_IsRefused()
    {
        _dir.Write("in.txt", "1 2\n3 4\n");
        var r = Run("image", "in.txt", "out.txt", "--filter", "{kernel: [[1,1,1],[1,1,1],[1,1,1]], padding: valid}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--filter:1:1: error:", r.StdErr);
        Assert.Contains("empty output", r.StdErr);
    }

    [Fact]
    public void Validate_GoodConfig_Succeeds()
    {
        var r = Run("validate", Path.Combine(Repository.Configs, "demo.yaml"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ok", r.StdOut);
    }

    [Fact]
    public void Validate_FilterFile_Succeeds()
    {
        var r = Run("validate", Path.Combine(Repository.Filters, "sobel.yaml"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("gradient magnitude", r.StdOut);
    }

    [Theory]
    [InlineData("chain:\n  - filter: sobelx\n", "config.yaml:5:13: error: unknown filter 'sobelx'; did you mean 'sobel-x'?")]
    [InlineData("chain:\n  - kernel: [[1, 2], [3]]\n", "config.yaml:5:22: error: kernel is ragged")]
    [InlineData("chain:\n  - filter: box\n    stride: 0\n", "config.yaml:6:13: error: stride must be at least 1, got 0")]
    [InlineData("chian: []\n", "config.yaml:4:1: error: unknown key 'chian' in a pipeline config; did you mean 'chain'?")]
    public void Validate_BadConfig_IsExit2_WithTheLocatedMessage(string chain, string expected)
    {
        _dir.Write("config.yaml", $"source:\n  pattern: {{width: 64, height: 48, frames: 2}}\nsinks: [discard]\n{chain}");
        var r = Run("validate", "config.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
        NoStackTrace(r);
    }

    [Fact]
    public void Validate_MissingFile_IsExit2()
    {
        var r = Run("validate", "missing.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.yaml:1:1: error: file 'missing.yaml' does not exist", r.StdErr);
    }

    [Fact]
    public void Validate_Verbose_ShowsTheStackTrace()
    {
        _dir.Write("config.yaml", "source: {pattern: {}}\nsinks: [discard]\nchain: [{stride: 0, kernel: [[1]]}]\n");
        var r = Run("validate", "config.yaml", "--verbose");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("   at ", r.StdErr);
    }
}
