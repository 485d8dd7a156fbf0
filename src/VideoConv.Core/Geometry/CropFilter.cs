using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Geometry;

/// <summary>A crop step: copies the rectangle's rows, as OpenCV's <c>Mat(roi).copyTo</c>. The bounds are checked when it is built, before any frame.</summary>
internal sealed unsafe class CropFilter : IBandFilter
{
    private readonly CropRect _rect;
    private readonly BandScheduler _scheduler;

    public CropFilter(FilterDefinition filter, ImageFormat input, BandScheduler scheduler)
    {
        _rect = filter.Crop ?? throw new FilterDefinitionException($"filter '{filter.Name}': a crop step needs a rectangle", "crop");
        Output = OutputFor(_rect, input);
        Input = input;
        _scheduler = scheduler;
    }

    /// <summary>The format a crop of <paramref name="rect"/> makes from <paramref name="input"/> frames; throws when the rectangle does not fit.</summary>
    public static ImageFormat OutputFor(CropRect rect, ImageFormat input)
    {
        rect.Validate();
        rect.CheckInside(input.Width, input.Height);
        return new ImageFormat(rect.Width, rect.Height, input.Channels);
    }

    public ImageFormat Input { get; }
    public ImageFormat Output { get; }
    public string Path => "crop";
    public int SamplesPerRow => Output.RowBytes;

    public void Apply(Image src, Image dst)
    {
        FrameFilterArguments.Check(this, src, dst);
        _scheduler.Run(new FilterBands(this, (byte*)src.Pointer, (byte*)dst.Pointer), Output.Height, Output.RowBytes);
    }

    public void RowsAt(byte* src, byte* dst, int start, int end, int worker)
    {
        int bytes = Output.RowBytes;
        long offset = (long)_rect.X * Input.Channels;
        for (int y = start; y < end; y++)
            Buffer.MemoryCopy(src + (long)(y + _rect.Y) * Input.RowBytes + offset, dst + (long)y * bytes, bytes, bytes);
    }
}
