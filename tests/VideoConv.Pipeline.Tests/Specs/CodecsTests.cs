using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Tests.Specs;

public class CodecsTests
{
    [Theory]
    [InlineData("a.mkv", null, "FFV1")]
    [InlineData("a.AVI", null, "MJPG")]
    [InlineData("a.mp4", null, "mp4v")]
    [InlineData("a.mov", "", "mp4v")]
    [InlineData("a.mp4", "xvid", "XVID")]
    [InlineData("a.avi", "mjpg", "MJPG")]
    public void Resolve_KnownOrDefault_ReturnsCanonicalFourcc(string path, string? codec, string expected) =>
        Assert.Equal(expected, Codecs.Resolve(path, codec));

    [Fact]
    public void Resolve_UnknownExtension_ThrowsNamingChoices()
    {
        var ex = Assert.Throws<PipelineSpecException>(() => Codecs.Resolve("a.webm", null));
        Assert.Contains(".mkv", ex.Message);
    }

    [Fact]
    public void Resolve_UnknownCodec_ListsKnownOnes()
    {
        var ex = Assert.Throws<PipelineSpecException>(() => Codecs.Resolve("a.mkv", "VP90"));
        Assert.All(Codecs.Known, k => Assert.Contains(k, ex.Message));
    }
}
