using System.Diagnostics;
using System.Threading.Channels;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Stats;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// Reads frames from an <see cref="IFrameSource"/> into pooled frames, stamps the capture time, and paces realtime
/// sources. Owns (and disposes) the source.
/// </summary>
/// <remarks>
/// Presentation times: a source that knows them (a file) sets <see cref="Frame.Pts"/> itself; for the others this
/// stage stamps one — frame <c>n</c> at <c>n/fps</c> for sources with a declared rate (pattern, images), the
/// capture time in milliseconds for live sources (<paramref name="wallClock"/>), so a dropped frame leaves a gap
/// in time instead of shortening the output.
/// </remarks>
/// <param name="opened">Told the frame format once the source is open, before its first frame (the filter prepares its
/// chain); returns the format the chain makes of it, or null.</param>
/// <param name="preroll">Told that format; the first frame is read once every sink has prepared for it.</param>
/// <param name="prefill">Frames made ready in the pool before the first read (what can be in flight: the queue and the two stages).</param>
internal sealed class SourceStage(IFrameSource source, ChannelWriter<Frame> output, RunControl run, StageCounters counters, bool realtime,
    Func<VideoConv.Core.Imaging.ImageFormat, VideoConv.Core.Imaging.ImageFormat?> opened, Preroll preroll, bool wallClock = false, bool planar = false,
    int prefill = 0)
{
    private static readonly Media.Rational Milliseconds = new(1, 1000);

    public const string StageName = "source";

    private volatile FramePool? _pool;
    private double _fps;
    private long? _total;

    public FramePool? Pool => _pool;
    public SourceBrokeException? Broke { get; private set; }
    public double Fps => Volatile.Read(ref _fps);
    public long? TotalFrames => _total;

    public void Run()
    {
        var ct = run.SourceToken;
        Exception? error = null;
        try
        {
            source.Open(ct);
            _total = source.TotalFrames;
            Volatile.Write(ref _fps, source.Fps);
            _pool = new FramePool(source.Format, planar); // planar: frames that take the decoder's YUV planes (space: yuv)
            _pool.Prefill(prefill);
            var ticks = Media.Rational.FrameTicks(source.Fps);
            preroll.Announce(opened(source.Format) is { } made
                ? new Sinks.SinkFormat(made, source.Fps, source.TimeBase ?? (wallClock ? Milliseconds : ticks), planar)
                : null);
            preroll.AwaitSinks(ct);
            counters.Started();
            long start = Stopwatch.GetTimestamp();
            for (long n = 0; !ct.IsCancellationRequested; n++)
            {
                if (realtime && source.Fps > 0 && !WaitUntil(start + (long)(n / source.Fps * Stopwatch.Frequency), ct)) break;
                var frame = _pool.Rent();
                frame.Pts = Frame.NoPts;
                frame.Duration = 0;
                long t0 = Stopwatch.GetTimestamp();
                bool got;
                try { got = source.Read(frame, ct); }
                catch { frame.Release(); throw; }
                if (!got) { frame.Release(); break; }
                frame.Sequence = n;
                long captured = frame.CaptureTimestamp = Stopwatch.GetTimestamp();
                if (frame.Pts == Frame.NoPts) Stamp(frame, n, wallClock ? Stopwatch.GetElapsedTime(start, captured) : null, ticks);
                // Counted once handed over: a frame read but abandoned by a stop is not "in".
                try { FrameChannels.Write(output, frame, ct); }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    // Stopped (the pipeline may have completed this channel for us): the frame was not handed over.
                    frame.Release();
                    break;
                }
                counters.FrameDone(t0, captured);
            }
        }
        catch (SourceBrokeException ex)
        {
            // A truncated input: what was read is kept (the stream ends normally), the run fails afterwards.
            Broke = ex;
        }
        catch (Exception) when (ct.IsCancellationRequested && !run.Failed)
        {
            // Stopped while blocked in the source (e.g. ffmpeg killed by the stop): a stop, not a failure.
        }
        catch (Exception ex)
        {
            // Record first (the first recorded failure is the one reported), then pass it downstream.
            run.Fail(StageName, ex);
            error = ex;
        }
        finally
        {
            preroll.Announce(null);   // never opened: sinks waiting to prepare go on (and see the end of the stream)
            counters.Stopped();
            output.TryComplete(error);
            // This stage owns the source and its pool: if it was abandoned while blocked in a native read,
            // it still cleans up here once the read returns. Frames still downstream are freed on return.
            source.Dispose();
            _pool?.Dispose();
        }
    }

    private void Stamp(Frame frame, long n, TimeSpan? sinceStart, Media.Rational ticks)
    {
        if (sinceStart is { } t)
        {
            frame.TimeBase = Milliseconds;
            frame.Pts = (long)t.TotalMilliseconds;
            frame.Duration = source.Fps > 0 ? (long)Math.Round(1000 / source.Fps) : 0;
        }
        else
        {
            frame.TimeBase = ticks;
            frame.Pts = n;
            frame.Duration = 1;
        }
    }

    // Cancellable pacing wait (not synchronisation): false when cancelled first.
    private static bool WaitUntil(long dueTimestamp, CancellationToken ct)
    {
        long remaining = dueTimestamp - Stopwatch.GetTimestamp();
        if (remaining <= 0) return !ct.IsCancellationRequested;
        int ms = (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency);
        return !ct.WaitHandle.WaitOne(ms);
    }
}
