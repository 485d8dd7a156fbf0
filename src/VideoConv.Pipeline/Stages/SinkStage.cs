using System.Diagnostics;
using System.Threading.Channels;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Stats;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// Feeds one sink from its own channel, records capture-to-sink latency, and finalizes the sink when the
/// stream ends or is stopped — or aborts it when the run failed.
/// </summary>
/// <remarks>
/// A live sink whose receiver went away (<see cref="SinkGoneException"/>) is the one failure that does not fail the
/// run: it is said once through <c>warn</c>, the sink stops, and its queue is drained so the others go on.
/// </remarks>
internal sealed class SinkStage(IFrameSink sink, ChannelReader<Frame> input, RunControl run, StageCounters counters, LatencyHistogram latency, Func<double> fps,
    Preroll preroll, Action<string>? warn = null)
{
    public string Name => sink.Name;

    public void Run()
    {
        bool opened = false;
        try
        {
            // What needs no format, while the source opens; then for the chain's output. Signalled only once prepared:
            // a sink that fails here fails the run, which cancels the waiting source.
            sink.Prepare(null);
            sink.Prepare(preroll.AwaitFormat(run.FailToken));
            preroll.SinkPrepared();
            counters.Started();
            while (!run.Failed && FrameChannels.Read(input, out var frame, run.FailToken))
            {
                try
                {
                    long t0 = Stopwatch.GetTimestamp();
                    if (!opened)
                    {
                        sink.Open(frame.Format, fps());
                        opened = true;
                    }
                    sink.Write(frame);
                    long done = Stopwatch.GetTimestamp();
                    latency.Record(Stopwatch.GetElapsedTime(frame.CaptureTimestamp, done).TotalMilliseconds);
                    counters.FrameDone(t0);
                }
                finally { frame.Release(); }
            }
            if (run.Failed) sink.Abort();
            else sink.Complete();
        }
        catch (SinkGoneException gone) when (!run.Failed)
        {
            warn?.Invoke($"{Name}: {gone.Message}; this sink stopped, the others go on");
            AbortAfterFailure();
            DrainAfterGone();
        }
        catch (Exception ex)
        {
            run.Fail(Name, ex);
            AbortAfterFailure();
        }
        finally
        {
            counters.Stopped();
        }
    }

    // Frames keep coming for the stopped sink until the stream ends: returned to their pool unread.
    private void DrainAfterGone()
    {
        try
        {
            while (!run.Failed && FrameChannels.Read(input, out var frame, run.FailToken)) frame.Release();
        }
        catch (Exception ex) { run.Fail(Name, ex); } // cancelled: the run failed elsewhere, and that first error is what is reported
    }

    private void AbortAfterFailure()
    {
        try { sink.Abort(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OpenCvSharp.OpenCVException)
        {
            // The run already failed with its first error, which is what gets reported; a temp file
            // that could not be removed is named in that error's stage and left for the user.
        }
    }
}
