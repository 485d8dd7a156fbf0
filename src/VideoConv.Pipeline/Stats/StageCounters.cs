using System.Diagnostics;
using VideoConv.Core.Convolution;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Stats;

/// <summary>Running figures for one stage, updated by the stage's own thread and read by snapshots.</summary>
/// <remarks><paramref name="steps"/>: the filter stage's per-step figures, read at each snapshot.</remarks>
internal sealed class StageCounters(string name, Func<int>? queueDepth = null, Func<IReadOnlyList<ChainStepTime>>? steps = null)
{
    private long _frames, _busyTicks, _dropped, _startTimestamp, _stopTimestamp;

    public string Name { get; } = name;
    public long Frames => Interlocked.Read(ref _frames);
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Started() => Interlocked.CompareExchange(ref _startTimestamp, Stopwatch.GetTimestamp(), 0);
    public void Stopped() => Interlocked.Exchange(ref _stopTimestamp, Stopwatch.GetTimestamp());

    /// <summary>One frame done; <paramref name="since"/> is the timestamp when work on it began.</summary>
    public void FrameDone(long since) => FrameDone(since, Stopwatch.GetTimestamp());

    /// <summary>One frame done; work on it ran from <paramref name="since"/> to <paramref name="until"/>.</summary>
    public void FrameDone(long since, long until)
    {
        Interlocked.Add(ref _busyTicks, until - since);
        Interlocked.Increment(ref _frames);
    }

    public void Drop() => Interlocked.Increment(ref _dropped);

    public StageStats Snapshot()
    {
        long start = Interlocked.Read(ref _startTimestamp);
        long stop = Interlocked.Read(ref _stopTimestamp);
        double seconds = start == 0 ? 0 : Stopwatch.GetElapsedTime(start, stop != 0 ? stop : Stopwatch.GetTimestamp()).TotalSeconds;
        long frames = Frames;
        double busyMs = Interlocked.Read(ref _busyTicks) * 1000.0 / Stopwatch.Frequency;
        return new StageStats(Name, frames, seconds > 0 ? frames / seconds : 0, busyMs, queueDepth?.Invoke() ?? 0, Dropped)
        {
            Steps = steps?.Invoke() ?? [],
        };
    }
}
