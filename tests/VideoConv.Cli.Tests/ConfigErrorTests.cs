using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests;

/// <summary>Every config mistake is reported at the offending key or value, compiler style.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Source = """
        source:
          pattern: {width: 64, height: 48, fps: 30, frames: 3}
        """;

    private string Config(string chain, string sinks = "  - discard: {}") => $"{Source}\nchain:\n{chain}\nsinks:\n{sinks}\n";

    [Fact]
    public void UnknownTopLevelKey_IsLocated_AndSuggestsClosest()
    {
        var ex = ConfigAssert.Fails(_dir, Source + "\nchian: []\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 1, "unknown key 'chian'", "did you mean 'chain'?");
        Assert.StartsWith("config.yaml:3:1: error: ", ex.Formatted.Replace(_dir.Path + "/", ""));
    }

    [Fact]
    public void UnknownKeyInChainStep_IsLocated_AndSuggestsClosest()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: gaussian\n    sigam: 1.2"));
        ConfigAssert.IsAt(ex, 5, 5, "unknown key 'sigam'", "did you mean 'sigma'?");
    }

    [Fact]
    public void UnknownKeyInInlineFilter_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1]]\n    strides: 2"));
        ConfigAssert.IsAt(ex, 5, 5, "unknown key 'strides'", "did you mean 'stride'?");
    }

    [Fact]
    public void UnknownSourceKey_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  fiel: a.mp4\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 2, 3, "unknown key 'fiel'", "did you mean 'file'?");
    }

    [Fact]
    public void UnknownFilter_IsLocatedAtTheName_AndSuggestsClosest()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: sobelx"));
        ConfigAssert.IsAt(ex, 4, 13, "unknown filter 'sobelx'", "did you mean 'sobel-x'?");
    }

    [Fact]
    public void UnknownFilterAsBareName_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - gausian"));
        ConfigAssert.IsAt(ex, 4, 5, "unknown filter 'gausian'", "did you mean 'gaussian'?");
    }

    [Fact]
    public void MissingFilterFile_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: mine/edges.yaml"));
        ConfigAssert.IsAt(ex, 4, 13, "filter file 'mine/edges.yaml' does not exist");
    }

    [Fact]
    public void RaggedKernel_IsLocatedAtTheShortRow()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1, 2, 1], [0, 1], [2, 1, 0]]"));
        ConfigAssert.IsAt(ex, 4, 25, "ragged", "row 2 has 2 values, row 1 has 3");
    }

    [Fact]
    public void RaggedKernelInBlockStyle_IsLocatedAtTheShortRow()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel:\n      - [1, 2, 1]\n      - [0, 1, 0]\n      - [2, 1]"));
        ConfigAssert.IsAt(ex, 7, 9, "row 3 has 2 values");
    }

    [Fact]
    public void NonNumericKernelValue_IsLocatedAtTheValue()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1, 2, 1], [0, x, 0]]"));
        ConfigAssert.IsAt(ex, 4, 29, "kernel row 2 value 2", "'x' is not a number");
    }

    [Fact]
    public void KernelThatIsNotAMatrix_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [1, 2, 1]"));
        ConfigAssert.IsAt(ex, 4, 13, "list of rows");
    }

    [Fact]
    public void NaNKernelValue_IsRefused()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1, .nan, 1]]"));
        ConfigAssert.IsAt(ex, 4, 18, "'.nan' is not a finite number");
    }

    [Fact]
    public void InfinityKernelValue_IsRefused()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1], [-.inf]]"));
        ConfigAssert.IsAt(ex, 4, 20, "not a finite number");
    }

    [Fact]
    public void ZeroStride_IsLocatedAtTheValue()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: sharpen\n    stride: 0"));
        ConfigAssert.IsAt(ex, 5, 13, "stride must be at least 1, got 0");
    }

    [Fact]
    public void NegativeDilation_IsLocatedAtTheValue()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1, 1], [1, 1]]\n    dilation: [1, -1]"));
        ConfigAssert.IsAt(ex, 5, 19, "dilation x must be at least 1, got -1");
    }

    [Fact]
    public void EmptyOutputForTheSourceSize_IsLocatedAtTheChainStep()
    {
        // 64x48 frame, 3x3 kernel dilated by 30 spans 61 rows > 48: nothing is left without padding.
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: identity\n  - kernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n    padding: valid\n    dilation: 30"));
        ConfigAssert.IsAt(ex, 5, 5, "empty output");
    }

    [Fact]
    public void UnknownCodec_IsLocatedAtTheCodec()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  []", "  - file: out.mkv\n    codec: FFV2"));
        ConfigAssert.IsAt(ex, 7, 12, "unknown codec 'FFV2'", "did you mean 'FFV1'?");
    }

    [Theory]
    [InlineData("H264")]
    [InlineData("avc1")]
    [InlineData("h.264")]
    public void H264Codec_IsAcceptedUnderItsUsualNames(string codec)
    {
        // H.264 is written by the system FFmpeg's libx264 (docs/media.md); these spellings all mean it.
        var path = _dir.Write("config.yaml", Config("  []", $"  - file: out.mp4\n    codec: {codec}"));
        var config = VideoConv.Cli.Config.PipelineConfigReader.ReadFile(path);
        Assert.Equal("h264", VideoConv.Pipeline.Media.MediaFormats.ResolveName("out.mp4", ((VideoConv.Pipeline.Specs.FileSinkSpec)config.Sinks[0]).Codec));
    }

    [Fact]
    public void MissingSourceFile_IsLocatedAtThePath()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  file: clips/missing.mp4\nsinks:\n  - discard: {}\n");
        ConfigAssert.IsAt(ex, 2, 9, "does not exist", "missing.mp4");
    }

    [Fact]
    public void ImageGlobWithoutMatches_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  images: frames/*.png\nsinks:\n  - discard: {}\n");
        ConfigAssert.IsAt(ex, 2, 11, "no image matches");
    }

    [Fact]
    public void OutputFolderThatCannotBeWritten_IsLocatedAtTheSink()
    {
        _dir.Write("blocker", "a file where a folder should be");
        var ex = ConfigAssert.Fails(_dir, Config("  []", "  - discard: {}\n  - file: blocker/out.mkv"));
        ConfigAssert.IsAt(ex, 7, 11, "cannot be created", "is a file");
    }

    [Fact]
    public void ExistingOutputWithoutOverwrite_IsLocated()
    {
        _dir.Write("out.mkv", "old");
        var ex = ConfigAssert.Fails(_dir, Config("  []", "  - file: out.mkv"));
        ConfigAssert.IsAt(ex, 6, 11, "already exists", "--overwrite");
    }

    [Fact]
    public void ImagesSinkWithoutFrameNumber_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  []", "  - images: out/frame.png"));
        ConfigAssert.IsAt(ex, 6, 13, "%05d");
    }

    [Fact]
    public void TwoSourceKinds_AreRefusedAtTheSecond()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  camera: 0\n  url: rtsp://x\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 3, "both 'camera' and 'url'");
    }

    [Fact]
    public void MisspeltBorder_SuggestsClosest()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: box\n    border: reflect_101"));
        ConfigAssert.IsAt(ex, 5, 13, "unknown value 'reflect_101'", "did you mean 'reflect101'?");
    }

    [Fact]
    public void CoreValidationError_IsBlamedOnTheKeyItNames()
    {
        // Core refuses an anchor without 'same' padding; its message has no position, so the reader blames the anchor.
        var ex = ConfigAssert.Fails(_dir, Config("  - kernel: [[1, 2], [3, 4]]\n    padding: valid\n    anchor: [0, 0]"));
        ConfigAssert.IsAt(ex, 6, 13, "anchor only applies with padding: same");
    }

    [Fact]
    public void LayerWithWrongInChannels_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - weights: [[[[1]], [[1]], [[1]]]]\n    in_channels: 4"));
        ConfigAssert.IsAt(ex, 5, 18, "in_channels is 4 but weights has 3");
    }

    [Fact]
    public void DuplicateKey_IsLocatedAtTheSecond()
    {
        var ex = ConfigAssert.Fails(_dir, Source + "\nchain: []\nchain: []\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 4, 1, "'chain' appears twice");
    }

    [Fact]
    public void InvalidYamlSyntax_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  pattern: {width: 64\nsinks: [discard]\n");
        Assert.InRange(ex.Location.Line, 2, 3);
        Assert.StartsWith("invalid YAML", ex.Message);
    }

    [Fact]
    public void ErrorInABuiltinOverride_PointsAtTheOverride()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: gaussian\n    size: 1000"));
        ConfigAssert.IsAt(ex, 5, 11, "size must be at most 255, got 1000");
    }

    [Fact]
    public void ErrorInAFilterFile_IsLocatedInThatFile()
    {
        _dir.Write("filters/bad.yaml", "name: bad\nkernel:\n  - [1, 2]\n  - [3]\n");
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: filters/bad.yaml"));
        Assert.EndsWith("bad.yaml", ex.Location.File);
        ConfigAssert.IsAt(ex, 4, 5, "ragged");
    }
}
