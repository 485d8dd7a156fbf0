using System.Diagnostics;

namespace VideoConv.Core.Convolution;

/// <summary>One chain step's figures: how many frames it filtered and the thread time it took.</summary>
/// <param name="Step">0-based index in the chain (messages and stats say "chain step <c>Step + 1</c>").</param>
/// <param name="Filter">The step's filter name (<c>gaussian</c>, <c>resize</c>, <c>inline</c>…).</param>
/// <param name="Frames">Frames the step has filtered.</param>
/// <param name="CpuMs">
/// Busy time of every thread that ran the step, summed (so on n threads it can reach n × the wall time):
/// in a fused chain, the time each band thread spent in the step's rows of each chunk.
/// </param>
public readonly record struct ChainStepTime(int Step, string Filter, long Frames, double CpuMs);

/// <summary>
/// Per-step timings of one <see cref="FilterChain"/>, taken inside the band loops (fused or not): each thread adds
/// <see cref="Stopwatch.GetTimestamp"/> differences to its own slots, so the hot path takes no lock and allocates
/// nothing (two timestamps per step per chunk, ≈ 50 ns against the chunk's tens of µs). Readers may snapshot at
/// any time; a snapshot taken mid-frame sees that frame's steps partly counted.
/// </summary>
public sealed class ChainStepTimes
{
    // Each worker's slots start on their own cache lines (8 longs), so two threads never write the same line.
    private readonly int _stride;
    private readonly long[] _ticks;
    private readonly long[] _frames;
    private readonly string[] _names;

    internal ChainStepTimes(IReadOnlyList<string> names, int workers)
    {
        _names = [.. names];
        _stride = (names.Count + 7) / 8 * 8 + 8;
        _ticks = new long[Math.Max(1, workers) * _stride];
        _frames = new long[names.Count];
    }

    public int Steps => _names.Length;

    /// <summary>Adds <paramref name="ticks"/> (Stopwatch ticks) to <paramref name="step"/> on band thread <paramref name="worker"/>; only that thread writes its slots.</summary>
    internal void Add(int worker, int step, long ticks)
    {
        ref long slot = ref _ticks[worker * _stride + step];
        Volatile.Write(ref slot, slot + ticks);
    }

    /// <summary>One frame through <paramref name="step"/> (called by the chain's caller, one at a time).</summary>
    internal void Frame(int step) => Interlocked.Increment(ref _frames[step]);

    /// <summary>Forgets what was measured (the pipeline's warm-up run on a blank frame is not a frame).</summary>
    public void Reset()
    {
        for (int i = 0; i < _frames.Length; i++) Interlocked.Exchange(ref _frames[i], 0);
        for (int i = 0; i < _ticks.Length; i++) Interlocked.Exchange(ref _ticks[i], 0);
    }

    /// <summary>The figures so far, one per step in chain order.</summary>
    public ChainStepTime[] Snapshot()
    {
        var result = new ChainStepTime[_names.Length];
        int workers = _ticks.Length / _stride;
        for (int s = 0; s < result.Length; s++)
        {
            long ticks = 0;
            for (int w = 0; w < workers; w++) ticks += Volatile.Read(ref _ticks[w * _stride + s]);
            result[s] = new ChainStepTime(s, _names[s], Interlocked.Read(ref _frames[s]), ticks * 1000.0 / Stopwatch.Frequency);
        }
        return result;
    }
}
