using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Filters applied one after another to frames of one format. A chain of any length needs at most two
/// intermediate frames: step i writes into buffer i mod 2 (ping-pong), each buffer sized for the largest
/// intermediate. They are allocated once here, so applying the chain allocates nothing. An empty chain
/// copies its input.
/// </summary>
/// <remarks>
/// Before anything is allocated the chain's working memory is estimated (<see cref="ChainMemory"/>) and a
/// chain that would not fit this machine is refused with the estimate: before, 10 000 identity steps on
/// 1080p held 10 000 intermediate frames (≈ 62 GB) and died with a bare OutOfMemoryException.
/// </remarks>
public sealed class FilterChain : IFrameFilter
{
    private readonly IFrameFilter[] _stages;
    private readonly Image[] _intermediates; // views over the two ping-pong buffers, one per step but the last (none when fused)
    private readonly FusedChain? _fused;

    /// <param name="filters">The steps, applied in order.</param>
    /// <param name="input">The format of the frames the chain will get.</param>
    /// <param name="scheduler">The threads to run on (default: one per core, shared).</param>
    /// <param name="fuse">Run the steps fused band by band where that applies (<see cref="FusedChain"/>); false: one whole frame per step (same bits).</param>
    public FilterChain(IReadOnlyList<FilterDefinition> filters, ImageFormat input, BandScheduler? scheduler = null, bool fuse = true)
    {
        scheduler ??= BandScheduler.Shared;
        Memory = ChainMemory.Check(filters, input, scheduler.Workers, fuse: fuse);
        Definitions = filters;
        _stages = new IFrameFilter[filters.Count];
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
            _fused = fuse ? FusedChain.TryCreate(_stages, scheduler) : null;
            _intermediates = new Image[_fused is null ? Math.Max(0, _stages.Length - 1) : 0];
            if (_intermediates.Length > 0)
            {
                long largest = 0;
                for (int i = 0; i < _intermediates.Length; i++) largest = Math.Max(largest, _stages[i].Output.TotalBytes);
                byte[][] buffers = [Image.AllocateBuffer(largest), _intermediates.Length > 1 ? Image.AllocateBuffer(largest) : []];
                for (int i = 0; i < _intermediates.Length; i++) _intermediates[i] = Image.View(_stages[i].Output, buffers[i % 2]);
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

    /// <summary>The working-memory estimate the chain was checked against when it was built.</summary>
    public ChainMemoryEstimate Memory { get; }

    public string Path => _stages.Length == 0 ? "copy" : (_fused is null ? "" : "fused: ") + string.Join(" | ", _stages.Select(s => s.Path));

    /// <summary>Whether the steps run fused, band by band (<see cref="FusedChain"/>).</summary>
    public bool Fused => _fused is not null;

    public void Apply(Image src, Image dst)
    {
        if (_stages.Length == 0)
        {
            if (src.Format != dst.Format) throw new ArgumentException($"expected a {src.Format} destination, got {dst.Format}", nameof(dst));
            src.Data.AsSpan(0, checked((int)src.Format.TotalBytes)).CopyTo(dst.Data);
            return;
        }
        if (_fused is not null)
        {
            FrameFilterArguments.Check(this, src, dst);
            _fused.Apply(src, dst);
            return;
        }
        var current = src;
        for (int i = 0; i < _stages.Length; i++)
        {
            var next = i == _stages.Length - 1 ? dst : _intermediates[i];
            _stages[i].Apply(current, next);
            current = next;
        }
    }

    /// <summary>A step's refusal as the chain reports it: "chain step N: …", keeping the key blamed and adding the step index.</summary>
    internal static FilterDefinitionException AtStep(FilterDefinitionException ex, int step) =>
        new($"chain step {step + 1}: {ex.Message}", ex.Key, step);
}
