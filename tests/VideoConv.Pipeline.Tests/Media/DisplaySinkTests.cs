using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>The display sink on a virtual X server: what is on screen is the filtered frame.</summary>
[Collection(nameof(DisplayCollection))]
public class DisplaySinkTests(ITestOutputHelper output)
{
    [RequiresToolsFact("Xvfb", "ffmpeg")]
    public async Task RunAsync_PatternToDisplay_ScreenShowsFilteredFrames()
    {
        var display = VirtualDisplay.Shared;
        using var dir = new TempDir();
        const int w = 320, h = 240, frames = 100_000;
        var spec = new PipelineSpec(new PatternSourceSpec(w, h, 30, frames) { Realtime = true }, [TestMedia.Sobel], [new DisplaySinkSpec("videoconv-test")]);
        var shown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new VideoPipeline(spec, new PipelineOptions { Progress = s => { if (s.FramesOut >= 10) shown.TrySetResult(); } });
        using var cts = new CancellationTokenSource();
        var run = pipeline.RunAsync(cts.Token);

        await shown.Task.WaitAsync(TimeSpan.FromSeconds(60));
        long before = pipeline.Snapshot().FramesOut;
        string shot = dir.File("screen.png");
        display.Screenshot(shot);
        long after = pipeline.Snapshot().FramesOut;
        cts.Cancel();
        var stats = await run;
        Assert.True(stats.Stopped);

        // The frame on screen is one of those displayed around the screenshot: find the top of each
        // candidate's expected filtered frame (the overlay is at the bottom) and compare pixels exactly.
        using var screen = Cv2.ImRead(shot);
        var pattern = new PatternSource(w, h, 30, frames);
        pattern.Open(CancellationToken.None);
        var chain = new FilterChain([TestMedia.Sobel], pattern.Format);
        using var pool = new FramePool(pattern.Format);
        using var filteredPool = new FramePool(chain.Output);
        Point at = default;
        long match = -1;
        int fewestDiff = int.MaxValue;
        for (long n = Math.Max(0, before - 3); n <= after + 1; n++)
        {
            var src = pool.Rent();
            var dst = filteredPool.Rent();
            pattern.Render(src, n);
            chain.Apply(src.Image, dst.Image);
            using var top = new Mat(dst.Mat, new Rect(0, 0, w, h - 40));
            // The window is moved to the top-left corner; search that corner for this candidate.
            using var corner = new Mat(screen, new Rect(0, 0, Math.Min(screen.Width, w + 120), Math.Min(screen.Height, h + 120)));
            using var scores = new Mat();
            Cv2.MatchTemplate(corner, top, scores, TemplateMatchModes.SqDiff);
            Cv2.MinMaxLoc(scores, out _, out _, out Point found, out _);
            using var region = new Mat(screen, new Rect(found.X, found.Y, w, h - 40));
            int diff = TestMedia.CountDifferent(region, top);
            if (diff < fewestDiff) (fewestDiff, match, at) = (diff, n, found);
            src.Release();
            dst.Release();
        }
        output.WriteLine($"display {display.Name}: frames shown {before}..{after}; picture at {at}; frame {match} matches with {fewestDiff} differing samples");
        Assert.True(fewestDiff == 0, $"{fewestDiff} samples differ from the nearest filtered frame ({match})");
        File.Copy(shot, Path.Combine(Path.GetTempPath(), "videoconv-display-test.png"), overwrite: true);
    }
}
