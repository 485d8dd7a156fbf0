using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Where the fast path is chosen: builds the worker that applies a filter to frames of one format.
/// A kernel of dyadic weights whose exact sums fit in 16 bits runs in integer lanes
/// (<see cref="FixedPointWorker"/>) — so do rank-one kernels with 16-bit horizontal sums (32-bit vertical sums:
/// the library's σ 1.2 Gaussian) and magnitudes of two integer kernels (Sobel); everything else runs in float32
/// (<see cref="ConvolutionWorker"/>, which picks separable or direct itself). Every path gives the same bits
/// where the maths is exact.
/// </summary>
public static class ConvolutionEngine
{
    /// <summary>The worker for <paramref name="filter"/> on frames of <paramref name="input"/> format; throws <see cref="FilterDefinitionException"/> if it cannot apply.</summary>
    public static IFrameFilter Create(FilterDefinition filter, ImageFormat input, BandScheduler? scheduler = null)
    {
        scheduler ??= BandScheduler.Shared;
        if (filter.Mode == FilterMode.Resize) return new Geometry.ResizeFilter(filter, input, scheduler);
        if (filter.Mode == FilterMode.Crop) return new Geometry.CropFilter(filter, input, scheduler);
        var g = new ConvolutionGeometry(filter, input);
        return FixedPointPlan.TryCreate(filter, g) is { } plan
            ? new FixedPointWorker(filter, g, plan, scheduler)
            : ConvolutionWorker.Create(filter, input, scheduler);
    }

    /// <summary>The format <paramref name="filter"/> makes from <paramref name="input"/> frames, without building it; throws <see cref="FilterDefinitionException"/> if it cannot apply.</summary>
    public static ImageFormat OutputFormat(FilterDefinition filter, ImageFormat input) => filter.Mode switch
    {
        FilterMode.Resize => Geometry.ResizeFilter.OutputFor(filter.Resize ?? throw new FilterDefinitionException("a resize step needs a size", "resize"), input),
        FilterMode.Crop => Geometry.CropFilter.OutputFor(filter.Crop ?? throw new FilterDefinitionException("a crop step needs a rectangle", "crop"), input),
        _ => new ConvolutionGeometry(filter, input).Output,
    };
}
