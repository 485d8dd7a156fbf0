using VideoConv.Core.Filters;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Validation;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Specs;

/// <summary>Everything <see cref="VideoPipeline.Validate"/> must refuse before the first frame, and with which subject.</summary>
public class ValidationTests
{
    private static PipelineSpec Spec(SourceSpec source, params SinkSpec[] sinks) => new(source, [], sinks);

    private static PipelineSpecException Refused(PipelineSpec spec, bool overwrite = false) =>
        Assert.Throws<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite));

    [Fact]
    public void Validate_MissingSourceFile_RefusesSource()
    {
        var ex = Refused(Spec(new FileSourceSpec("/nonexistent/clip.mp4"), new DiscardSinkSpec()));
        Assert.Equal("source", ex.Subject);
        Assert.Contains("/nonexistent/clip.mp4", ex.Message);
    }

    [Fact]
    public void Validate_GlobMatchingNothing_RefusesSource()
    {
        using var dir = new TempDir();
        var ex = Refused(Spec(new ImagesSourceSpec(dir.File("*.png")), new DiscardSinkSpec()));
        Assert.Equal("source", ex.Subject);
        Assert.Contains("no image matches", ex.Message);
    }

    [RequiresAbsentPathFact("/dev/video7")]
    public void Validate_AbsentCamera_RefusesSourceNamingIndex()
    {
        var ex = Refused(Spec(new CameraSourceSpec(7), new DiscardSinkSpec()));
        Assert.Equal("source", ex.Subject);
        Assert.Contains("no camera at index 7", ex.Message);
    }

    [Fact]
    public void Validate_ExistingOutputWithoutOverwrite_RefusesThatSink()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("out.mkv"), "old");
        var spec = Spec(new PatternSourceSpec(), new DiscardSinkSpec(), new FileSinkSpec(dir.File("out.mkv")));
        var ex = Refused(spec);
        Assert.Equal("sink 2", ex.Subject);
        Assert.Contains("exists", ex.Message);
        VideoPipeline.Validate(spec, overwrite: true);
    }

    [Fact]
    public void Validate_OutputFolderMissing_RefusesSink()
    {
        var ex = Refused(Spec(new PatternSourceSpec(), new FileSinkSpec("/nonexistent-folder/out.mkv")));
        Assert.Equal("sink 1", ex.Subject);
        Assert.Contains("does not exist", ex.Message);
        SpecValidator.Validate(Spec(new PatternSourceSpec(), new FileSinkSpec(Path.Combine(Path.GetTempPath(), $"vc-{Guid.NewGuid():N}", "out.mkv"))),
            overwrite: false, foldersMayBeMissing: true);   // creatable: the caller creates it
    }

    [Fact]
    public void Validate_RefusalCarriesTheOriginOfThePart()
    {
        var at = new SourceLocation("c.yaml", 7, 11);
        var ex = Refused(Spec(new PatternSourceSpec(), new FileSinkSpec("/nonexistent-folder/out.mkv") { Origin = new SpecOrigin(at) }));
        Assert.Equal(at, ex.Location);
        var codecAt = new SourceLocation("c.yaml", 8, 12);
        var codec = Refused(Spec(new PatternSourceSpec(),
            new FileSinkSpec("/tmp/out.mp4", "theora") { Origin = new SpecOrigin(at, new Dictionary<string, SourceLocation> { ["codec"] = codecAt }) }));
        Assert.Equal(codecAt, codec.Location);
    }

    [RequiresLibAvTheory]
    [InlineData("out.mp4", "avc1")]
    [InlineData("out.mp4", "H264")]
    [InlineData("out.mkv", "x264")]
    public void Validate_H264Names_AcceptedThroughTheSystemFfmpeg(string file, string codec)
    {
        using var dir = new TempDir();
        VideoPipeline.Validate(Spec(new PatternSourceSpec(), new FileSinkSpec(dir.File(file), codec)), overwrite: false);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Validate_CodecContainerMismatch_RefusesBeforeFirstFrame()
    {
        using var dir = new TempDir();
        var ex = Refused(Spec(new PatternSourceSpec(), new FileSinkSpec(dir.File("out.mp4"), "FFV1")));
        Assert.Equal("sink 1", ex.Subject);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Validate_ImagePatternWithoutNumber_RefusesSink()
    {
        using var dir = new TempDir();
        var ex = Refused(Spec(new PatternSourceSpec(), new ImagesSinkSpec(dir.File("frame.png"))));
        Assert.Equal("sink 1", ex.Subject);
        Assert.Contains("%d", ex.Message);
    }

    [Fact]
    public void Validate_TwoDisplaySinks_Refuses()
    {
        Assert.Equal("sinks", Refused(Spec(new PatternSourceSpec(), new DisplaySinkSpec("a"), new DisplaySinkSpec("b"))).Subject);
    }

    [Fact]
    public void Validate_NoSinks_Refuses()
    {
        Assert.Equal("sinks", Refused(Spec(new PatternSourceSpec())).Subject);
    }

    [Fact]
    public void Validate_InvalidFilter_RefusesChainEntry()
    {
        var spec = new PipelineSpec(new PatternSourceSpec(), [TestMedia.Sharpen, TestMedia.Sharpen with { Stride = Pair.Of(0) }], [new DiscardSinkSpec()]);
        Assert.Equal("chain step 2", Refused(spec).Subject);
    }

    [Fact]
    public void Validate_GoodSpec_Passes()
    {
        using var dir = new TempDir();
        VideoPipeline.Validate(Spec(new PatternSourceSpec(), new FileSinkSpec(dir.File("a.mkv")), new FileSinkSpec(dir.File("b.avi")),
            new FileSinkSpec(dir.File("c.mp4")), new ImagesSinkSpec(dir.File("%05d.png")), new DiscardSinkSpec()), overwrite: false);
        Assert.Empty(Directory.GetFiles(dir.Path));   // validation leaves nothing behind
    }

    [Fact]
    public async Task RunAsync_InvalidSpec_ThrowsSpecExceptionBeforeAnyFrame()
    {
        var pipeline = new VideoPipeline(Spec(new FileSourceSpec("/nonexistent.mp4"), new DiscardSinkSpec()), new PipelineOptions());
        var ex = await Assert.ThrowsAsync<PipelineSpecException>(() => pipeline.RunAsync(CancellationToken.None));
        Assert.Equal("source", ex.Subject);
        Assert.Equal(0, pipeline.Snapshot().FramesIn);
    }
}
