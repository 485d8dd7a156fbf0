using OpenCvSharp;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>Real encoded files through the pipeline, checked against OpenCV as the oracle.</summary>
public class FileRoundTripTests
{
    [Fact]
    public async Task RunAsync_H264ClipSharpenedToFfv1_EveryFrameEqualsFilter2D()
    {
        using var dir = new TempDir();
        string input = TestMedia.MakeClip(dir, 320, 240, 24);
        string output = dir.File("sharp.mkv");
        var spec = new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sharpen], [new FileSinkSpec(output, "ffv1")]);

        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);

        var source = TestMedia.DecodeAsPipeline(input); // the frames the pipeline filtered
        var result = TestMedia.Decode(output);
        try
        {
            Assert.Equal(24, source.Count);
            Assert.Equal(source.Count, result.Count);
            Assert.Equal(24, stats.FramesOut);
            using var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 });
            for (int i = 0; i < source.Count; i++)
            {
                using var expected = new Mat();
                Cv2.Filter2D(source[i], expected, -1, kernel, borderType: BorderTypes.Reflect101);
                Assert.True(TestMedia.CountDifferent(expected, result[i]) == 0, $"frame {i} differs from filter2D");
            }
        }
        finally
        {
            foreach (var m in source.Concat(result)) m.Dispose();
        }
        Assert.Equal(["input.mp4", "sharp.mkv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task RunAsync_CancelledMidFile_FinalizesPlayableOutputWithFramesSoFar()
    {
        using var dir = new TempDir();
        string output = dir.File("partial.mkv");
        using var cts = new CancellationTokenSource();
        var spec = new PipelineSpec(new PatternSourceSpec(320, 180, 30, 100_000), [TestMedia.Sobel], [new FileSinkSpec(output)]);
        var options = new PipelineOptions { Progress = s => { if (s.FramesOut >= 15) cts.Cancel(); } };

        var stats = await new VideoPipeline(spec, options).RunAsync(cts.Token);

        Assert.True(stats.Stopped);
        Assert.True(stats.FramesOut >= 15);
        Assert.Equal(stats.FramesOut, TestMedia.CountFrames(output));
        Assert.Equal(["partial.mkv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));   // no temp file left
    }

    [Fact]
    public async Task RunAsync_SinkFailsMidRun_LeavesNoFileAtDestination()
    {
        using var dir = new TempDir();
        string output = dir.File("never.mkv");
        var failing = new RecordingSink("sink failing", failAt: 10);
        var spec = new PipelineSpec(new PatternSourceSpec(160, 120, 30, 60), [], [new FileSinkSpec(output), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Sink = (_, i) => i == 1 ? failing : null });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("sink failing", ex.Stage);
        Assert.Empty(Directory.GetFiles(dir.Path));   // neither the destination nor a partial temp file
    }

    [Theory]
    [InlineData(1, "grey.mkv")]
    [InlineData(4, "bgra.avi")]
    public async Task RunAsync_ChainChangingChannelCount_EncodesEveryFrame(int channels, string file)
    {
        using var dir = new TempDir();
        string output = dir.File(file);
        var one = VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { 0.25f } });
        var layer = new VideoConv.Core.Filters.ConvLayer(
            [.. Enumerable.Range(0, channels).Select(_ => (IReadOnlyList<VideoConv.Core.Kernels.Kernel>)[one, one, one])], []);
        var mix = new VideoConv.Core.Filters.FilterDefinition { Name = "mix", Mode = VideoConv.Core.Filters.FilterMode.ChannelMix, Layer = layer };
        var spec = new PipelineSpec(new PatternSourceSpec(96, 64, 30, 12), [mix], [new FileSinkSpec(output)]);

        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);

        Assert.Equal(12, stats.FramesOut);
        Assert.Equal(12, TestMedia.CountFrames(output));
    }

    [Fact]
    public async Task RunAsync_ImageSequenceInAndOut_KeepsNameOrderAndPixels()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("in"));
        Directory.CreateDirectory(dir.File("out"));
        for (int i = 0; i < 5; i++)
        {
            using var img = new Mat(20, 30, MatType.CV_8UC3, new Scalar(i * 40, 255 - i * 40, 9));
            Cv2.ImWrite(dir.File($"in/frame{i:D2}.png"), img);
        }
        var spec = new PipelineSpec(new ImagesSourceSpec(dir.File("in/frame*.png")), [], [new ImagesSinkSpec(dir.File("out/%03d.png"))]);

        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);

        Assert.Equal(5, stats.FramesOut);
        for (int i = 0; i < 5; i++)
        {
            using var a = Cv2.ImRead(dir.File($"in/frame{i:D2}.png"));
            using var b = Cv2.ImRead(dir.File($"out/{i + 1:D3}.png"));
            Assert.Equal(0, TestMedia.CountDifferent(a, b));
        }
    }

    [Fact]
    public async Task RunAsync_UrlSourceThroughSystemFfmpeg_DecodesEveryFrame()
    {
        using var dir = new TempDir();
        string input = TestMedia.MakeClip(dir, 160, 120, 12);
        var spec = new PipelineSpec(new UrlSourceSpec("file://" + input) { Live = false }, [], [new DiscardSinkSpec()]);

        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);

        Assert.Equal(12, stats.FramesIn);
        Assert.Equal(12, stats.FramesOut);
    }
}
