using System.Text.Json;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Core.Kernels;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Specs;

/// <summary>Per-chain-step figures in the statistics, and chains whose steps change the frame size, through real runs.</summary>
public class StepTimingTests
{
    private static readonly FilterDefinition Gaussian = FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2), "gaussian");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StatsJson_ThreeStepChain_HasEachStepWithItsFramesAndCpuTime(bool resizeInTheMiddle)
    {
        using var dir = new TempDir();
        const int Frames = 12, Threads = 2;
        List<FilterDefinition> chain = resizeInTheMiddle
            ? [Gaussian, FilterDefinition.Resizing(new ResizeSpec(160, -2)), TestMedia.Sharpen]
            : [Gaussian, TestMedia.Sharpen, TestMedia.Sobel];
        var spec = new PipelineSpec(new PatternSourceSpec(320, 240, 30, Frames), chain, [new DiscardSinkSpec()]);
        await using var pipeline = new VideoPipeline(spec, new PipelineOptions { Threads = Threads });
        var stats = await pipeline.RunAsync(CancellationToken.None);
        string path = dir.File("stats.json");

        StatsJson.Write(stats, path);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var filter = doc.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "filter");
        var steps = filter.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(chain.Select((f, i) => $"chain step {i + 1} ({f.Name})"), steps.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3], steps.Select(s => s.GetProperty("step").GetInt32()));
        Assert.Equal(chain.Select(f => f.Name), steps.Select(s => s.GetProperty("filter").GetString()));
        Assert.All(steps, s => Assert.Equal(Frames, s.GetProperty("frames").GetInt64()));
        Assert.All(steps, s => Assert.True(s.GetProperty("cpu_ms").GetDouble() > 0, s.ToString()));
        // CPU time: each band thread's time inside the step, summed; every band runs within the stage's busy time,
        // so the steps together take at most busy time × threads (plus the 3-decimal rounding of each figure).
        double cpu = steps.Sum(s => s.GetProperty("cpu_ms").GetDouble());
        double busy = filter.GetProperty("busy_ms").GetDouble();
        Assert.True(cpu <= busy * Threads + 0.01, $"steps {cpu} ms of CPU time, stage busy {busy} ms on {Threads} threads");
        Assert.InRange(steps.Sum(s => s.GetProperty("share").GetDouble()), 0.99, 1.01);
    }

    [Fact]
    public void Snapshot_OtherStages_HaveNoSteps()
    {
        var spec = new PipelineSpec(new PatternSourceSpec(), [Gaussian], [new DiscardSinkSpec()]);
        var stats = new VideoPipeline(spec, new PipelineOptions()).Snapshot();
        Assert.All(stats.Stages.Where(s => s.Name != "filter"), s => Assert.Empty(s.Steps));
    }

    [RequiresToolsFact("ffprobe")]
    public async Task FileSink_AfterResizeAndCrop_IsEncodedAtTheNewSize()
    {
        using var dir = new TempDir();
        string output = dir.File("small.mkv");
        List<FilterDefinition> chain = [FilterDefinition.Resizing(new ResizeSpec(-2, 180, ResizeMethod.Area)), FilterDefinition.Cropping(new CropRect(10, 20, 200, 120)), TestMedia.Sharpen];
        var spec = new PipelineSpec(new PatternSourceSpec(640, 360, 30, 10), chain, [new FileSinkSpec(output)]);
        await using var pipeline = new VideoPipeline(spec, new PipelineOptions());
        var stats = await pipeline.RunAsync(CancellationToken.None);
        Assert.Equal(10, stats.FramesOut);
        var (code, probe) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", output);
        Assert.Equal(0, code);
        Assert.Equal("200,120", probe.Trim());
        Assert.Equal(10, TestMedia.CountFrames(output));
    }

    [Fact]
    public void Validate_CropOutsideAKnownFrame_IsRefusedAtTheStepBeforeTheRun()
    {
        var spec = new PipelineSpec(new PatternSourceSpec(320, 240, 30, 5), [Gaussian, FilterDefinition.Cropping(new CropRect(300, 0, 64, 64))], [new DiscardSinkSpec()]);
        var ex = Assert.Throws<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite: false));
        Assert.Equal("chain step 2", ex.Subject);
        Assert.Contains("320x240", ex.Message);
    }

    [Fact]
    public void Validate_ResizeToAnOddSizeBeforeAYuv420Encoder_IsRefusedBeforeTheRun()
    {
        using var dir = new TempDir();
        var spec = new PipelineSpec(new PatternSourceSpec(320, 240, 30, 5), [FilterDefinition.Resizing(new ResizeSpec(161, -1))], [new FileSinkSpec(dir.File("odd.mp4"))]);
        var ex = Assert.ThrowsAny<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite: false));
        Assert.Contains("161x121", ex.Message);
    }
}
