using VideoConv.Cli.Config;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Tests;

/// <summary><c>space:</c>, <c>planes:</c> and per-plane chains (docs/yuv.md): how they read, and their mistakes, located.</summary>
public sealed class YuvConfigTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private PipelineSpec Read(string yaml) => PipelineConfigReader.ReadFile(_dir.Write("config.yaml", yaml)).ToSpec();

    [Fact]
    public void SpaceYuv_ChainIsYs_PlanesAllGivesEveryPlaneTheChain()
    {
        var yOnly = Read("source: {file: in.mp4}\nspace: yuv\nchain: [sharpen]\nsinks: [discard]\n");
        Assert.Equal(PixelSpace.Yuv, yOnly.Space);
        Assert.Equal("sharpen", Assert.Single(yOnly.Chain).Name);
        Assert.Empty(yOnly.U.Steps);
        Assert.Empty(yOnly.V.Steps);
        Assert.Equal(2, yOnly.SpaceOrigin!.At.Line);

        var all = Read("source: {file: in.mp4}\nspace: yuv\nplanes: all\nchain: [sharpen]\nsinks: [discard]\n");
        Assert.Equal("sharpen", Assert.Single(all.U.Steps).Name);
        Assert.Equal("sharpen", Assert.Single(all.V.Steps).Name);

        Assert.Equal(PixelSpace.Bgr, Read("source: {file: in.mp4}\nchain: [sharpen]\nsinks: [discard]\n").Space);
    }

    [Fact]
    public void PerPlaneChains_ReadWithTheirOwnStepsAndLines()
    {
        var spec = Read("source: {file: in.mp4}\nspace: yuv\nchain:\n  y: [sharpen]\n  v:\n    - gaussian\nsinks: [discard]\n");
        Assert.Equal("sharpen", Assert.Single(spec.Chain).Name);
        Assert.Empty(spec.U.Steps);
        Assert.Equal("gaussian", Assert.Single(spec.V.Steps).Name);
        Assert.Equal(6, spec.V.Origin(0)!.At.Line);
    }

    [Fact]
    public void Mistakes_AreLocated()
    {
        ConfigAssert.IsAt(ConfigAssert.Fails(_dir, "source: {file: in.mp4}\nspace: rgb\nsinks: [discard]\n"), 2, 8, "space");
        ConfigAssert.IsAt(ConfigAssert.Fails(_dir, "source: {file: in.mp4}\nplanes: all\nsinks: [discard]\n"), 2, 1, "needs space: yuv");
        ConfigAssert.IsAt(ConfigAssert.Fails(_dir, "source: {file: in.mp4}\nchain:\n  y: [sharpen]\nsinks: [discard]\n"), 3, 3, "needs space: yuv");
        ConfigAssert.IsAt(ConfigAssert.Fails(_dir, "source: {file: in.mp4}\nspace: yuv\nchain:\n  w: [sharpen]\nsinks: [discard]\n"), 4, 3, "unknown key 'w'");
        ConfigAssert.IsAt(ConfigAssert.Fails(_dir, "source: {file: in.mp4}\nspace: yuv\nplanes: all\nchain:\n  y: [sharpen]\nsinks: [discard]\n"), 3, 1, "not both");
    }

    [Fact]
    public void SpaceYuv_WithASourceWithoutPlanes_IsRefusedAtSpace()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  pattern: {width: 64, height: 48, frames: 2}\nspace: yuv\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 8, "needs a file source", "space: bgr");
    }
}
