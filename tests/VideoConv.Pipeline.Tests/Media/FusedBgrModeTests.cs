using System.Runtime.Intrinsics.X86;
using VideoConv.Core;
using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Core.Kernels;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Stages;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>
/// BGR mode fused between the decoder's planes (<see cref="FusedBgrFilter"/>) on real clips: the same encoded video
/// packets, the same audio and times as the run with BGR frames between the stages, for chains of several reaches.
/// </summary>
public sealed class FusedBgrModeTests
{
    private static readonly FilterDefinition Gaussian = FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2), "gaussian");

    public static TheoryData<string> Chains => new() { "sharpen", "gaussian-sharpen-sobel", "float5x5", "dilated-anchored", "constant-border", "empty" };

    private static IReadOnlyList<FilterDefinition> Chain(string name) => name switch
    {
        "sharpen" => [TestMedia.Sharpen],
        "gaussian-sharpen-sobel" => [Gaussian, TestMedia.Sharpen, TestMedia.Sobel],
        "float5x5" => [FilterDefinition.FromKernel(Kernel.FromArray(Enumerable.Range(0, 25).Select(i => (i * 7 % 11 - 5) / 9f).Chunk(5).Select(r => r.ToArray()).ToArray().To2D()), "float5x5")],
        // A 3×3 dilated twice with its anchor in the top-left corner: reaches 0 rows up, 4 down.
        "dilated-anchored" => [TestMedia.Sharpen with { Dilation = Pair.Of(2), Anchor = new Pair(0, 0), Name = "dilated" }],
        "constant-border" => [Gaussian with { Border = BorderMode.Constant, BorderValue = 200, Name = "gaussian-constant" }, TestMedia.Sharpen],
        _ => [],
    };

    [RequiresLibAvTheory]
    [MemberData(nameof(Chains))]
    public async Task FusedRun_SameVideoPacketsAudioAndTimesAsBgrFrames(string chainName)
    {
        using var dir = new TempDir();
        // 1280×720: 17 strips; every strip boundary, the top and the bottom border meet the chain.
        string input = MediaClips.Make(dir, "in.mp4", 1280, 720, 0.4);
        var chain = Chain(chainName);
        foreach (string codec in new[] { "mp4v", "h264" })
        {
            string fused = dir.File($"fused-{codec}.mp4"), whole = dir.File($"bgr-{codec}.mp4");
            long before = Interlocked.Read(ref FusedBgrFilter.StripFrames);
            var pipeline = await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(fused, codec)]));
            Assert.Equal(Avx2.IsSupported, pipeline.Planar);
            if (Avx2.IsSupported) Assert.True(Interlocked.Read(ref FusedBgrFilter.StripFrames) - before >= 12, "the frames did not go strip by strip");
            // The stats still time each step (summed over the strips), after the run has ended.
            var steps = pipeline.Snapshot().Stages.Single(st => st.Name == "filter").Steps;
            Assert.Equal(chain.Count, steps.Count);
            Assert.All(steps, st => Assert.True(st.Frames >= 12 && st.CpuMs > 0, $"step {st.Step}: {st.Frames} frames, {st.CpuMs} ms"));
            FusedBgrFilter.Disabled = true;
            try
            {
                var unfused = await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(whole, codec)]));
                Assert.False(unfused.Planar);
            }
            finally { FusedBgrFilter.Disabled = false; }
            Assert.Equal(MediaClips.PacketMd5(whole, "0:v"), MediaClips.PacketMd5(fused, "0:v"));
            Assert.Equal(MediaClips.PacketMd5(whole, "0:a"), MediaClips.PacketMd5(fused, "0:a"));
            Assert.Equal(MediaClips.FrameTimes(whole), MediaClips.FrameTimes(fused));
        }
    }

    [RequiresLibAvTheory]
    [InlineData(322, 182)] // padded decoder rows; a width off libswscale's 16-pixel step (it skips the last 2 columns)
    [InlineData(328, 184)] // off it the other way (libswscale writes past each row)
    [InlineData(640, 36)]  // one strip: both borders in it
    public async Task OddSizes_SameVideoPacketsAsBgrFrames(int width, int height)
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", width, height, 0.4, audio: false);
        string fused = dir.File("fused.mp4"), whole = dir.File("bgr.mp4");
        IReadOnlyList<FilterDefinition> chain = [Gaussian, TestMedia.Sharpen];
        await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(fused, "mp4v")]));
        FusedBgrFilter.Disabled = true;
        try { await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(whole, "mp4v")])); }
        finally { FusedBgrFilter.Disabled = false; }
        Assert.Equal(MediaClips.PacketMd5(whole, "0:v"), MediaClips.PacketMd5(fused, "0:v"));
    }

    [RequiresLibAvFact]
    public async Task WithoutOurConversion_FramesConvertedWhole_SameVideoPacketsAsBgrFrames()
    {
        // Where our yuv420p → BGR conversion does not apply, each frame goes the unfused run's way (libswscale, the chain
        // over the whole frame, the encoder's conversion), still between planes.
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 320, 240, 0.4, audio: false);
        string fused = dir.File("fused.mp4"), whole = dir.File("bgr.mp4");
        IReadOnlyList<FilterDefinition> chain = [Gaussian, TestMedia.Sharpen];
        Yuv420ToBgr24.ForceLibswscale = true;
        try
        {
            long before = Interlocked.Read(ref FusedBgrFilter.WholeFrames);
            var pipeline = await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(fused, "mp4v")]));
            if (pipeline.Planar) Assert.True(Interlocked.Read(ref FusedBgrFilter.WholeFrames) - before >= 9);
            FusedBgrFilter.Disabled = true;
            try { await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(whole, "mp4v")])); }
            finally { FusedBgrFilter.Disabled = false; }
        }
        finally { Yuv420ToBgr24.ForceLibswscale = false; }
        Assert.Equal(MediaClips.PacketMd5(whole, "0:v"), MediaClips.PacketMd5(fused, "0:v"));
    }

    [RequiresLibAvFact]
    public void Applies_OnlyWhereTheOutputStaysTheUnfusedRunsOutput()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 320, 240, 0.2, audio: false);
        PipelineSpec Spec(IReadOnlyList<FilterDefinition> chain, params SinkSpec[] sinks) => new(new FileSourceSpec(input), chain, sinks);
        var mp4 = new FileSinkSpec(dir.File("out.mp4"), "h264");
        Assert.Equal(Avx2.IsSupported, FusedBgrFilter.Applies(Spec([TestMedia.Sharpen], mp4)));
        // Not row-local, or changing the size: BGR frames.
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Sharpen with { Border = BorderMode.Wrap }], mp4)));
        Assert.False(FusedBgrFilter.Applies(Spec([FilterDefinition.Resizing(new ResizeSpec(160, 120))], mp4)));
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Downscale], mp4)));
        // Sinks that are not 4:2:0 files encoded in-process (FFV1 keeps BGR losslessly; a display shows BGR).
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Sharpen], new FileSinkSpec(dir.File("out.mkv"), "FFV1"))));
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Sharpen], mp4, new DiscardSinkSpec())));
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Sharpen], mp4 with { Encoder = FileEncoder.OpenCv })));
        // YUV mode has its own planes; a described input is converted by libswscale's accurate path at the encoder.
        Assert.False(FusedBgrFilter.Applies(Spec([TestMedia.Sharpen], mp4) with { Space = PixelSpace.Yuv }));
        string described = dir.File("bt709.mp4");
        var (code, log) = TestMedia.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", input, "-c:v", "libx264", "-colorspace", "bt709",
            "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv", described);
        Assert.True(code == 0, log);
        Assert.False(FusedBgrFilter.Applies(new PipelineSpec(new FileSourceSpec(described), [TestMedia.Sharpen], [mp4])));
    }

    private static async Task<VideoPipeline> Run(PipelineSpec spec)
    {
        var pipeline = new VideoPipeline(spec, new PipelineOptions { Overwrite = true });
        await pipeline.RunAsync(CancellationToken.None);
        return pipeline;
    }
}

internal static class ArrayShape
{
    public static float[,] To2D(this float[][] rows)
    {
        var result = new float[rows.Length, rows[0].Length];
        for (int y = 0; y < rows.Length; y++)
            for (int x = 0; x < rows[0].Length; x++) result[y, x] = rows[y][x];
        return result;
    }
}
