using System.Diagnostics;
using VideoConv.Core.Borders;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A chain run fused, as Halide's <c>compute_at</c>: the final output is split into chunks of
/// <see cref="ChunkRows"/> rows, and for each chunk every step computes just the rows the next step reads
/// (the chunk plus each later kernel's halo) into a small per-thread buffer, so intermediates stay in cache
/// instead of streaming full frames through memory. Same bits as running the steps one after another: each
/// row is computed by the same code from the same source rows.
/// </summary>
/// <remarks>
/// Fused only where it pays and the row ranges stay small: vertical stride 1 (a strided step's halo would
/// grow the earlier ranges), no <c>wrap</c> border (its rows come from the far edge, so a chunk at the top
/// would need rows at the bottom), and halos adding up to at most <see cref="MaxHalo"/>. Every other
/// border maps adjacent padded rows to source rows at most one apart, so the rows a range of n padded rows
/// reads span at most n — which bounds each buffer.
/// </remarks>
internal sealed unsafe class FusedChain
{
    /// <summary>Largest chunk of final-output rows; a band is cut into equal chunks no taller than this.</summary>
    /// <remarks>
    /// Measured (gaussian σ 1.2 → sharpen → sobel, 1080p BGR, one thread, thread CPU time, median of 15, 3
    /// rounds, AMD EPYC AVX2, machine shared): unfused 19.4 ms; fused in chunks of 8 rows 23.0, 16 20.4,
    /// 32 18.7, 64 18.4. Small chunks lose more to recomputed halos and re-primed rings than they gain in
    /// cache; at 64 rows the two intermediates (≈ 0.8 MB) outgrow L2 but stay in L3, and fusion gains only
    /// ≈ 5 % here: full 1080p intermediates (6 MB) stay in this CPU's L3 as well, so most of the chain's time is
    /// arithmetic, not memory traffic.
    /// </remarks>
    public const int ChunkRows = 64;

    /// <summary>Largest sum of the later steps' halos that is fused: beyond it a chunk recomputes too many rows.</summary>
    public const int MaxHalo = 16;

    /// <summary>Most steps fused; a longer chain (of 1×1 steps, say) runs step by step.</summary>
    public const int MaxSteps = 16;

    /// <summary>The chunk height new fused chains use: <see cref="ChunkRows"/>, changed only by benchmarks measuring the choice.</summary>
    internal static int ChunkRowsInUse = ChunkRows;

    private readonly int _chunkRows;

    private readonly IRowFilter[] _steps;
    private readonly int[] _span;        // each step's window height minus one: (kh − 1)·dy
    private readonly int[] _capacity;    // rows of each intermediate a chunk may need
    private readonly byte*[][] _buffers; // per scheduler thread: the two ping-pong chunk buffers
    private readonly BandScheduler _scheduler;
    private readonly Lock _gate = new();

    private FusedChain(IRowFilter[] steps, BandScheduler scheduler)
    {
        _steps = steps;
        _scheduler = scheduler;
        _chunkRows = ChunkRowsInUse;
        _span = steps.Select(s => (s.Geometry.KernelHeight - 1) * s.Geometry.Dilation.Y).ToArray();
        _capacity = new int[steps.Length];
        long bytes = 0;
        for (int k = 0; k < steps.Length - 1; k++)
        {
            int later = 0;
            for (int j = k + 1; j < steps.Length; j++) later += _span[j];
            _capacity[k] = _chunkRows + later;
            bytes = Math.Max(bytes, (long)_capacity[k] * steps[k].Output.RowBytes);
        }
        _buffers = new byte*[scheduler.Workers][];
        for (int w = 0; w < _buffers.Length; w++)
        {
            var memory = new ScratchMemory();
            _buffers[w] = [memory.Alloc<byte>(bytes), memory.Alloc<byte>(bytes)];
            _keepAlive.Add(memory);
        }
    }

    private readonly List<ScratchMemory> _keepAlive = [];

    /// <summary>Whether a chain of these steps runs fused (see remarks).</summary>
    public static bool Applies(IReadOnlyList<ConvolutionGeometry> steps)
    {
        if (steps.Count < 2 || steps.Count > MaxSteps) return false;
        int halo = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var g = steps[i];
            if (g.Stride.Y != 1 || g.Border == BorderMode.Wrap) return false;
            if (i > 0) halo += (g.KernelHeight - 1) * g.Dilation.Y;
        }
        return halo <= MaxHalo;
    }

    /// <summary>The fused form of <paramref name="stages"/>, or null where fusing does not apply.</summary>
    public static FusedChain? TryCreate(IReadOnlyList<IFrameFilter> stages, BandScheduler scheduler)
    {
        if (stages.Count < 2 || stages.Any(s => s is not IRowFilter)) return null;
        var steps = stages.Cast<IRowFilter>().ToArray();
        return Applies(steps.Select(s => s.Geometry).ToList()) ? new FusedChain(steps, scheduler) : null;
    }

    /// <summary>Bytes of the per-thread chunk buffers a fused chain of these steps allocates, for the memory estimate.</summary>
    public static long BufferBytes(IReadOnlyList<ConvolutionGeometry> steps, int workers)
    {
        long bytes = 0;
        for (int k = 0; k < steps.Count - 1; k++)
        {
            int later = 0;
            for (int j = k + 1; j < steps.Count; j++) later += (steps[j].KernelHeight - 1) * steps[j].Dilation.Y;
            bytes = Math.Max(bytes, (long)(ChunkRows + later) * steps[k].Output.RowBytes);
        }
        return workers * 2 * (bytes + 2 * ScratchMemory.Alignment);
    }

    /// <summary>Runs the steps fused; each band thread adds its time in step k to <paramref name="times"/> slot <paramref name="firstStep"/> + k.</summary>
    public void Apply(Image src, Image dst, ChainStepTimes times, int firstStep)
    {
        var last = _steps[^1].Geometry;
        lock (_gate)
            _scheduler.Run(new Bands(this, (byte*)src.Pointer, (byte*)dst.Pointer, times, firstStep), last.OutputHeight, last.Output.RowBytes * _steps.Length);
    }

    /// <summary>Steps fused here.</summary>
    public int Count => _steps.Length;

    /// <summary>One call's work: the chain, the two frames (pinned, so plain pointers) and where step times go.</summary>
    private readonly struct Bands(FusedChain chain, byte* src, byte* dst, ChainStepTimes times, int firstStep) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            // Equal chunks (135 rows → 3 of 45, not 64 + 64 + 7): a short last chunk would pay the halos for few rows.
            int count = (end - start + chain._chunkRows - 1) / chain._chunkRows;
            int rows = (end - start + count - 1) / count;
            for (int a = start; a < end; a += rows) chain.Chunk(src, dst, a, Math.Min(end, a + rows), worker, times, firstStep);
        }
    }

    // Final rows [a, b): find, last step first, the rows each step must produce, then compute them in order.
    // Each step's share is timed here, inside the loop (a timestamp per step per chunk, added to this thread's own slot).
    private void Chunk(byte* src, byte* dst, int a, int b, int worker, ChainStepTimes times, int firstStep)
    {
        int n = _steps.Length;
        Span<int> lo = stackalloc int[n], hi = stackalloc int[n];
        lo[n - 1] = a;
        hi[n - 1] = b;
        for (int k = n - 1; k > 0; k--) (lo[k - 1], hi[k - 1]) = Reads(k, lo[k], hi[k]);
        var buffers = _buffers[worker];
        byte* input = src;
        long t = Stopwatch.GetTimestamp();
        for (int k = 0; k < n; k++)
        {
            byte* output = k == n - 1 ? dst : buffers[k % 2] - (long)lo[k] * _steps[k].Output.RowBytes;
            if (hi[k] > lo[k]) _steps[k].RowsAt(input, output, lo[k], hi[k], worker);
            input = output;
            long now = Stopwatch.GetTimestamp();
            times.Add(worker, firstStep + k, now - t);
            t = now;
        }
    }

    // Source rows [min, max + 1) that step k reads for its output rows [start, end).
    private (int Lo, int Hi) Reads(int k, int start, int end)
    {
        if (end <= start) return (0, 0);
        var table = _steps[k].Geometry.RowTable;
        int min = int.MaxValue, max = int.MinValue;
        for (int pr = start; pr <= end - 1 + _span[k]; pr++)
        {
            int r = table[pr];
            if (r < 0) continue; // constant border: no row read
            min = Math.Min(min, r);
            max = Math.Max(max, r);
        }
        if (_steps[k].ReadsOwnRow)
        {
            min = Math.Min(min, start);
            max = Math.Max(max, end - 1);
        }
        if (max < min) return (0, 0);
        if (max - min + 1 > _capacity[k - 1]) throw new InvalidOperationException($"fused chain: step {k + 1} reads {max - min + 1} rows, over the {_capacity[k - 1]} planned");
        return (min, max + 1);
    }
}
