namespace VideoConv.Core.Geometry;

/// <summary>How a resize computes each output sample (OpenCV's interpolation flags, on 8-bit frames).</summary>
public enum ResizeMethod
{
    /// <summary><c>INTER_LINEAR</c>: 2×2 source pixels, 11-bit fixed-point weights (the default).</summary>
    Bilinear,
    /// <summary><c>INTER_AREA</c>: each output pixel the mean of the source area it covers (downscaling); bilinear-like when enlarging.</summary>
    Area,
    /// <summary><c>INTER_CUBIC</c>: 4×4 source pixels, Keys' cubic with a = −0.75.</summary>
    Bicubic,
}

/// <summary>
/// A resize step's target: each side a number of pixels, or negative to follow the other side keeping the aspect
/// ratio as FFmpeg's <c>scale</c> filter does: <c>-1</c> rounds to the nearest integer, <c>-n</c> to the nearest
/// multiple of n (<c>-2</c>: an even size, which yuv420p encoders need).
/// </summary>
public sealed record ResizeSpec(int Width, int Height, ResizeMethod Method = ResizeMethod.Bilinear)
{
    /// <summary>Largest side a resize makes.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest divisor a negative side may ask for (<c>-16</c>).</summary>
    public const int MaxMultiple = 16;

    public void Validate()
    {
        Check(Width, "width");
        Check(Height, "height");
        if (Width < 0 && Height < 0)
            throw new FilterDefinitionException($"resize: give width, height or both (a negative side follows the other one, keeping the aspect ratio); got {Width}x{Height}", "resize");
    }

    private static void Check(int side, string key)
    {
        if (side == 0 || side > MaxSide || side < -MaxMultiple)
            throw new FilterDefinitionException($"resize: {key} must be 1 to {MaxSide} pixels, or -1 to -{MaxMultiple} to keep the aspect ratio (rounded to a multiple of that many pixels); got {side}", "resize");
    }

    /// <summary>The output size for an input of <paramref name="width"/> × <paramref name="height"/>; throws when a computed side is empty or too large.</summary>
    public (int Width, int Height) SizeFor(int width, int height)
    {
        int w = Width, h = Height;
        // FFmpeg's scale_eval: the missing side is av_rescale(other, in_this, in_other · n) · n, rounding half away from zero.
        if (w < 0) w = Rescale(h, width, (long)height * -w) * -w;
        if (h < 0) h = Rescale(w, height, (long)width * -h) * -h;
        if (w < 1 || h < 1 || w > MaxSide || h > MaxSide)
            throw new FilterDefinitionException($"resize: {width}x{height} frames would become {w}x{h}, outside 1 to {MaxSide} pixels a side", "resize");
        return (w, h);
    }

    private static int Rescale(long a, long b, long c) => (int)Math.Min(int.MaxValue, (a * b + c / 2) / c);

    public override string ToString() =>
        $"{(Width < 0 ? "auto" : Width.ToString())}x{(Height < 0 ? "auto" : Height.ToString())} {Method.ToString().ToLowerInvariant()}";
}

/// <summary>A crop step's rectangle, in pixels of the frame it gets: the top-left corner (x, y) and the size kept.</summary>
public readonly record struct CropRect(int X, int Y, int Width, int Height)
{
    public const int MaxSide = 65536;

    public void Validate()
    {
        if (X < 0 || Y < 0 || X >= MaxSide || Y >= MaxSide)
            throw new FilterDefinitionException($"crop: x and y must be 0 to {MaxSide - 1}, got x {X}, y {Y}", "crop");
        if (Width < 1 || Height < 1 || Width > MaxSide || Height > MaxSide)
            throw new FilterDefinitionException($"crop: width and height must be 1 to {MaxSide}, got {Width}x{Height}", "crop");
    }

    /// <summary>Throws unless the rectangle lies inside a <paramref name="width"/> × <paramref name="height"/> frame.</summary>
    public void CheckInside(int width, int height)
    {
        if ((long)X + Width > width || (long)Y + Height > height)
            throw new FilterDefinitionException(
                $"crop: the rectangle x {X}, y {Y}, {Width}x{Height} (to x {(long)X + Width}, y {(long)Y + Height}) does not fit in the {width}x{height} frame", "crop");
    }

    public override string ToString() => $"{Width}x{Height} at ({X}, {Y})";
}
