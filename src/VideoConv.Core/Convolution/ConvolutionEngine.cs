using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Where the fast path is chosen: builds the worker that applies a filter to frames of one format.
/// A kernel of dyadic weights whose exact sums fit in 16 bits runs in integer lanes
/// (<see cref="FixedPointWorker"/>); everything else runs in float32 (<see cref="ConvolutionWorker"/>,
/// which picks separable or direct itself). Every path gives the same bits.
/// </summary>
public static class ConvolutionEngine
{
    /// <summary>The worker for <paramref name="filter"/> on frames of <paramref name="input"/> format; throws <see cref="FilterDefinitionException"/> if it cannot apply.</summary>
    public static IFrameFilter Create(FilterDefinition filter, ImageFormat input, BandScheduler? scheduler = null)
    {
        var g = new ConvolutionGeometry(filter, input);
        scheduler ??= BandScheduler.Shared;
        return FixedPointPlan.TryCreate(filter, g) is { } plan
            ? new FixedPointWorker(filter, g, plan, scheduler)
            : ConvolutionWorker.Create(filter, input, scheduler);
    }
}
