using System.Diagnostics;
using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Filters applied one after another to frames of one format. A chain of any length needs at most two
/// intermediate frames: segment i writes into buffer i mod 2 (ping-pong), each buffer sized for the largest
/// intermediate. They are allocated once here, so applying the chain allocates nothing. An empty chain
/// copies its input.
/// </summary>
/// <remarks>
/// <para>Steps run in segments: each maximal run of convolutions that <see cref="FusedChain"/> accepts runs fused,
/// every other step (a resize or crop, which change the frame's size, or a convolution fusion refuses) on its own.
/// So a fused chain breaks at a resize and fuses again after it.</para>
/// <para>Each step is timed inside its band loop (<see cref="Times"/>): the busy time of every thread running it,
/// summed — CPU time per step, not wall time.</para>
/// <para>Before anything is allocated the chain's working memory is estimated (<see cref="ChainMemory"/>) and a
/// chain that would not fit this machine is refused with the estimate: before, 10 000 identity steps on
/// 1080p held 10 000 intermediate frames (≈ 62 GB) and died with a bare OutOfMemoryException.</para>
/// </remarks>
public sealed class FilterChain : IFrameFilter
{
    private readonly IFrameFilter[] _stages;
    private readonly Segment[] _segments;
    private readonly Image[] _intermediates; // views over the two ping-pong buffers, one per segment but the last
    private readonly BandScheduler _scheduler;
    private readonly Lock _gate = new();     // the intermediates and the steps' scratch serve one Apply at a time

    /// <summary>Steps [First, First + Count): fused, or one step on its own.</summary>
    private readonly record struct Segment(int First, int Count, FusedChain? Fused);

    /// <param name="filters">The steps, applied in order.</param>
    /// <param name="input">The format of the frames the chain will get.</param>
    /// <param name="scheduler">The threads to run on (default: one per core, shared).</param>
    /// <param name="fuse">Run runs of convolutions fused band by band where that applies (<see cref="FusedChain"/>); false: one whole frame per step (same bits).</param>
    public FilterChain(IReadOnlyList<FilterDefinition> filters, ImageFormat input, BandScheduler? scheduler = null, bool fuse = true)
    {
        _scheduler = scheduler ??= BandScheduler.Shared;
        Memory = ChainMemory.Check(filters, input, scheduler.Workers, fuse: fuse);
        Definitions = filters;
        _stages = new IFrameFilter[filters.Count];
        Times = new ChainStepTimes([.. filters.Select(f => f.Name)], scheduler.Workers);
        var format = input;
        try
        {
            for (int i = 0; i < filters.Count; i++)
            {
                try
                {
                    _stages[i] = ConvolutionEngine.Create(filters[i], format, scheduler);
                }
                catch (FilterDefinitionException ex)
                {
                    throw AtStep(ex, i);
                }
                format = _stages[i].Output;
            }
            Input = input;
            Output = format;
            RowReach = Reach(_stages);
            _segments = Split(_stages, fuse, scheduler);
            _intermediates = new Image[Math.Max(0, _segments.Length - 1)];
            if (_intermediates.Length > 0)
            {
                long largest = 0;
                for (int i = 0; i < _intermediates.Length; i++) largest = Math.Max(largest, SegmentOutput(i).TotalBytes);
                byte[][] buffers = [Image.AllocateBuffer(largest), _intermediates.Length > 1 ? Image.AllocateBuffer(largest) : []];
                for (int i = 0; i < _intermediates.Length; i++) _intermediates[i] = Image.View(SegmentOutput(i), buffers[i % 2]);
            }
        }
        catch (OutOfMemoryException)
        {
            throw new FilterDefinitionException($"the chain of {filters.Count} steps on {input} frames needs {Memory} of working memory and the machine ran out while allocating it");
        }
    }

    public IReadOnlyList<FilterDefinition> Definitions { get; }
    public ImageFormat Input { get; }
    public ImageFormat Output { get; }

    /// <summary>
    /// How many rows above and below an output row the chain's value there can depend on, where that is bounded and the
    /// chain keeps the frame's height (every step a convolution of vertical stride 1 without a wrapping border); null
    /// otherwise. Rows [a, b) of the chain's output over a frame then equal rows [a − r0, b − r0) of its output over the
    /// frame's rows [r0, r1) alone, wherever r0 is 0 or at most a − RowReach and r1 is the height or at least
    /// b + RowReach: the wrong rows a strip's own borders make reach no further in. That lets a caller run the chain
    /// strip by strip (the pipeline's fused BGR mode).
    /// </summary>
    public int? RowReach { get; }

    /// <summary>The working-memory estimate the chain was checked against when it was built.</summary>
    public ChainMemoryEstimate Memory { get; }

    /// <summary>Each step's frames and CPU time so far (see <see cref="ChainStepTimes"/>).</summary>
    public ChainStepTimes Times { get; }

    public string Path => _stages.Length == 0 ? "copy" : string.Join(" | ", _segments.Select(s =>
        s.Fused is null ? _stages[s.First].Path
        : (_segments.Length == 1 ? "fused: " : "(fused: ") + string.Join(" | ", _stages.Skip(s.First).Take(s.Count).Select(x => x.Path)) + (_segments.Length == 1 ? "" : ")")));

    /// <summary>Whether some steps run fused, band by band (<see cref="FusedChain"/>).</summary>
    public bool Fused => _segments.Any(s => s.Fused is not null);

    public void Apply(Image src, Image dst)
    {
        if (_stages.Length == 0)
        {
            if (src.Format != dst.Format) throw new ArgumentException($"expected a {src.Format} destination, got {dst.Format}", nameof(dst));
            // By pointer: either image may be over memory the caller owns (Image.Over), whose Data is empty.
            unsafe { Buffer.MemoryCopy((void*)src.Pointer, (void*)dst.Pointer, src.Format.TotalBytes, src.Format.TotalBytes); }
            return;
        }
        FrameFilterArguments.Check(this, src, dst);
        lock (_gate)
        {
            var current = src;
            for (int i = 0; i < _segments.Length; i++)
            {
                var segment = _segments[i];
                var next = i == _segments.Length - 1 ? dst : _intermediates[i];
                if (segment.Fused is { } fused) fused.Apply(current, next, Times, segment.First);
                else Step(segment.First, current, next);
                for (int k = segment.First; k < segment.First + segment.Count; k++) Times.Frame(k);
                current = next;
            }
        }
    }

    // One step on its own, over whole frames, timed in each band (the step's own Apply does the same work untimed).
    private unsafe void Step(int i, Image src, Image dst)
    {
        switch (_stages[i])
        {
            case IRowFilter rows:
                _scheduler.Run(new TimedRowBands(rows, (byte*)src.Pointer, (byte*)dst.Pointer, Times, i), rows.Geometry.OutputHeight, rows.Output.RowBytes);
                break;
            case IBandFilter bands:
                _scheduler.Run(new TimedBands(bands, (byte*)src.Pointer, (byte*)dst.Pointer, Times, i), bands.Output.Height, bands.SamplesPerRow);
                break;
            case var other:
                long t0 = Stopwatch.GetTimestamp();
                other.Apply(src, dst);
                Times.Add(0, i, Stopwatch.GetTimestamp() - t0);
                break;
        }
    }

    private readonly unsafe struct TimedRowBands(IRowFilter filter, byte* src, byte* dst, ChainStepTimes times, int step) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            long t0 = Stopwatch.GetTimestamp();
            filter.RowsAt(src, dst, start, end, worker);
            times.Add(worker, step, Stopwatch.GetTimestamp() - t0);
        }
    }

    private readonly unsafe struct TimedBands(IBandFilter filter, byte* src, byte* dst, ChainStepTimes times, int step) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            long t0 = Stopwatch.GetTimestamp();
            filter.RowsAt(src, dst, start, end, worker);
            times.Add(worker, step, Stopwatch.GetTimestamp() - t0);
        }
    }

    private static int? Reach(IFrameFilter[] stages)
    {
        int above = 0, below = 0;
        foreach (var stage in stages)
        {
            if (stage is not IRowFilter { Geometry: var g } || g.Stride.Y != 1 || g.Border == BorderMode.Wrap || g.OutputHeight != g.Input.Height) return null;
            above += Math.Max(0, g.PadTop);
            below += Math.Max(0, (g.KernelHeight - 1) * g.Dilation.Y - g.PadTop);
        }
        return Math.Max(above, below);
    }

    private ImageFormat SegmentOutput(int i) => _stages[_segments[i].First + _segments[i].Count - 1].Output;

    // Maximal runs of row filters (convolutions) fused where FusedChain accepts the whole run; everything else alone.
    private static Segment[] Split(IFrameFilter[] stages, bool fuse, BandScheduler scheduler)
    {
        var segments = new List<Segment>();
        for (int i = 0; i < stages.Length;)
        {
            int j = i;
            while (j < stages.Length && stages[j] is IRowFilter) j++;
            if (fuse && j - i >= 2 && FusedChain.TryCreate(stages[i..j], scheduler) is { } fused)
            {
                segments.Add(new Segment(i, j - i, fused));
                i = j;
                continue;
            }
            int end = Math.Max(j, i + 1);
            for (; i < end; i++) segments.Add(new Segment(i, 1, null));
        }
        return [.. segments];
    }

    /// <summary>
    /// The runs of consecutive convolutions, each as [first, end): what <see cref="Split"/> tries to fuse, found from
    /// the definitions alone (for the memory estimate, which then asks <see cref="FusedChain.Applies"/> as Split does).
    /// </summary>
    internal static IEnumerable<(int First, int End)> ConvolutionRuns(IReadOnlyList<FilterDefinition> filters)
    {
        for (int i = 0; i < filters.Count;)
        {
            if (filters[i].IsGeometric) { i++; continue; }
            int j = i;
            while (j < filters.Count && !filters[j].IsGeometric) j++;
            yield return (i, j);
            i = j;
        }
    }

    /// <summary>A step's refusal as the chain reports it: "chain step N: …", keeping the key blamed and adding the step index.</summary>
    internal static FilterDefinitionException AtStep(FilterDefinitionException ex, int step) =>
        new($"chain step {step + 1}: {ex.Message}", ex.Key, step);
}
