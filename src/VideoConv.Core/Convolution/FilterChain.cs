using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Filters applied one after another to frames of one format. Intermediate frames are allocated once
/// here, so applying the chain allocates nothing. An empty chain copies its input.
/// </summary>
public sealed class FilterChain : IFrameFilter
{
    private readonly IFrameFilter[] _stages;
    private readonly Image[] _intermediates;

    public FilterChain(IReadOnlyList<FilterDefinition> filters, ImageFormat input, BandScheduler? scheduler = null)
    {
        Definitions = filters;
        _stages = new IFrameFilter[filters.Count];
        var format = input;
        for (int i = 0; i < filters.Count; i++)
        {
            try
            {
                _stages[i] = ConvolutionEngine.Create(filters[i], format, scheduler);
            }
            catch (FilterDefinitionException ex)
            {
                throw new FilterDefinitionException($"chain step {i + 1}: {ex.Message}");
            }
            format = _stages[i].Output;
        }
        Input = input;
        Output = format;
        _intermediates = new Image[Math.Max(0, _stages.Length - 1)];
        for (int i = 0; i < _intermediates.Length; i++) _intermediates[i] = new Image(_stages[i].Output);
    }

    public IReadOnlyList<FilterDefinition> Definitions { get; }
    public ImageFormat Input { get; }
    public ImageFormat Output { get; }
    public string Path => _stages.Length == 0 ? "copy" : string.Join(" | ", _stages.Select(s => s.Path));

    public void Apply(Image src, Image dst)
    {
        if (_stages.Length == 0)
        {
            if (src.Format != dst.Format) throw new ArgumentException($"expected a {src.Format} destination, got {dst.Format}", nameof(dst));
            src.Data.AsSpan().CopyTo(dst.Data);
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
}
