using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Tests.Specs;

public class CodecsTests
{
    [Theory]
    [InlineData("a.mkv", null, "h264")]
    [InlineData("a.mp4", null, "h264")]
    [InlineData("a.mov", "", "h264")]
    [InlineData("a.ts", null, "h264")]
    [InlineData("a.webm", null, "vp9")]
    [InlineData("a.AVI", null, "mpeg4")]
    [InlineData("a.mp4", "xvid", "XVID")]
    [InlineData("a.avi", "mjpg", "MJPG")]
    [InlineData("a.mkv", "H265", "h265")]
    [InlineData("a.mkv", "ffv1", "FFV1")]
    public void Resolve_KnownOrDefault_ReturnsCanonicalName(string path, string? codec, string expected) =>
        Assert.Equal(expected, Codecs.Resolve(path, codec));

    [Fact]
    public void Resolve_UnknownExtension_ThrowsNamingChoices()
    {
        var ex = Assert.Throws<PipelineSpecException>(() => Codecs.Resolve("a.xyz", null));
        Assert.Contains(".mkv", ex.Message);
        Assert.Contains(".webm", ex.Message);
    }

    [Fact]
    public void Resolve_UnknownCodec_ListsKnownOnes()
    {
        var ex = Assert.Throws<PipelineSpecException>(() => Codecs.Resolve("a.mkv", "VP90"));
        Assert.All(Codecs.Known, k => Assert.Contains(k, ex.Message));
    }
}
