namespace VideoConv.Core.Geometry;

/// <summary>Which of OpenCV's 8-bit resize algorithms a resize runs (<c>hal::resize</c>'s own choice, made the same way).</summary>
internal enum ResizeKernel
{
    /// <summary>Same size: a copy (<c>cv::resize</c> copies too).</summary>
    Copy,
    /// <summary>Two taps per axis, 11-bit weights (bilinear, and area when enlarging).</summary>
    Linear,
    /// <summary>Four taps per axis, 11-bit weights.</summary>
    Cubic,
    /// <summary>Area with integer factors: block sums.</summary>
    AreaFast,
    /// <summary>Area with any factor ≥ 1: float-weighted sums over the covered source cells.</summary>
    AreaTable,
}

/// <summary>
/// The tables of one resize, computed as OpenCV's <c>hal::resize</c> computes them (in the same double/float
/// arithmetic, so the weights are the same bits): per output column the source pixels and fixed-point weights,
/// per output row the same, or the area tables (<c>computeResizeAreaTab</c>).
/// </summary>
internal sealed class ResizePlan
{
    public const int CoefBits = 11;            // INTER_RESIZE_COEF_BITS
    public const int CoefScale = 1 << CoefBits; // INTER_RESIZE_COEF_SCALE
    private const double DblEpsilon = 2.220446049250313e-16; // C's DBL_EPSILON (not .NET's double.Epsilon, the smallest subnormal)

    public ResizePlan(int srcWidth, int srcHeight, int dstWidth, int dstHeight, ResizeMethod method)
    {
        (SrcWidth, SrcHeight, DstWidth, DstHeight) = (srcWidth, srcHeight, dstWidth, dstHeight);
        if (srcWidth == dstWidth && srcHeight == dstHeight)
        {
            Kernel = ResizeKernel.Copy;
            return;
        }
        double invScaleX = (double)dstWidth / srcWidth, invScaleY = (double)dstHeight / srcHeight;
        double scaleX = 1.0 / invScaleX, scaleY = 1.0 / invScaleY;
        int iscaleX = SaturateRound(scaleX), iscaleY = SaturateRound(scaleY);
        bool areaFast = Math.Abs(scaleX - iscaleX) < DblEpsilon && Math.Abs(scaleY - iscaleY) < DblEpsilon;
        // As OpenCV: halving both sides bilinearly is the 2×2 area mean.
        if (method == ResizeMethod.Bilinear && areaFast && iscaleX == 2 && iscaleY == 2) method = ResizeMethod.Area;
        if (method == ResizeMethod.Area && scaleX >= 1 && scaleY >= 1)
        {
            if (areaFast)
            {
                Kernel = ResizeKernel.AreaFast;
                FactorX = iscaleX;
                FactorY = iscaleY;
            }
            else
            {
                Kernel = ResizeKernel.AreaTable;
                XTable = AreaTable(srcWidth, dstWidth, scaleX);
                YTable = AreaTable(srcHeight, dstHeight, scaleY);
                YStart = new int[dstHeight + 1];
                for (int k = 0, dy = 0; k < YTable.Length; k++)
                    if (k == 0 || YTable[k].Dst != YTable[k - 1].Dst) YStart[dy++] = k;
                YStart[dstHeight] = YTable.Length;
            }
            return;
        }
        Kernel = method == ResizeMethod.Bicubic ? ResizeKernel.Cubic : ResizeKernel.Linear;
        bool areaMode = method == ResizeMethod.Area;
        Taps = Kernel == ResizeKernel.Cubic ? 4 : 2;
        XIndex = new int[dstWidth * Taps];
        XWeights = new short[dstWidth * Taps];
        YIndex = new int[dstHeight * Taps];
        YWeights = new short[dstHeight * Taps];
        Span<float> c = stackalloc float[4];
        for (int dx = 0; dx < dstWidth; dx++)
        {
            int sx = Position(dx, scaleX, invScaleX, areaMode, out float fx);
            if (Kernel == ResizeKernel.Linear)
            {
                if (sx < 0) (fx, sx) = (0, 0);
                if (sx >= srcWidth - 1) (fx, sx) = (0, srcWidth - 1);
            }
            Weights(fx, c);
            for (int k = 0; k < Taps; k++)
            {
                // OpenCV clamps each tap to the edge pixel (its xofs loop); the interior is the same taps unclamped.
                XIndex[dx * Taps + k] = Math.Clamp(sx - Taps / 2 + 1 + k, 0, srcWidth - 1);
                XWeights[dx * Taps + k] = SaturateShort(c[k] * CoefScale);
            }
        }
        for (int dy = 0; dy < dstHeight; dy++)
        {
            int sy = Position(dy, scaleY, invScaleY, areaMode, out float fy);
            Weights(fy, c);
            for (int k = 0; k < Taps; k++)
            {
                YIndex[dy * Taps + k] = Math.Clamp(sy - Taps / 2 + 1 + k, 0, srcHeight - 1);
                YWeights[dy * Taps + k] = SaturateShort(c[k] * CoefScale);
            }
        }
    }

    public int SrcWidth { get; }
    public int SrcHeight { get; }
    public int DstWidth { get; }
    public int DstHeight { get; }
    public ResizeKernel Kernel { get; }

    // Linear / cubic: taps per axis, each output column's source pixels (clamped) and weights, the same per row.
    public int Taps { get; }
    public int[] XIndex { get; } = [];
    public short[] XWeights { get; } = [];
    public int[] YIndex { get; } = [];
    public short[] YWeights { get; } = [];

    // Area, integer factors.
    public int FactorX { get; }
    public int FactorY { get; }

    // Area, any factor: (destination, source, weight) entries per axis, and where each output row's entries start.
    public AreaEntry[] XTable { get; } = [];
    public AreaEntry[] YTable { get; } = [];
    public int[] YStart { get; } = [];

    /// <summary>One term of an area sum: source cell <see cref="Src"/> contributes <see cref="Alpha"/> to output cell <see cref="Dst"/>.</summary>
    public readonly record struct AreaEntry(int Dst, int Src, float Alpha);

    private int Position(int d, double scale, double invScale, bool areaMode, out float f)
    {
        int s;
        if (!areaMode)
        {
            f = (float)((d + 0.5) * scale - 0.5);
            s = (int)MathF.Floor(f);
            f -= s;
        }
        else
        {
            s = (int)Math.Floor(d * scale);
            f = (float)((d + 1) - (s + 1) * invScale);
            f = f <= 0 ? 0f : f - MathF.Floor(f);
        }
        return s;
    }

    // OpenCV's interpolateCubic (A = −0.75) or the two linear weights, in float as OpenCV computes them.
    private void Weights(float x, Span<float> c)
    {
        if (Kernel == ResizeKernel.Cubic)
        {
            const float A = -0.75f;
            c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
            c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
            c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
            c[3] = 1f - c[0] - c[1] - c[2];
        }
        else
        {
            c[0] = 1f - x;
            c[1] = x;
        }
    }

    // computeResizeAreaTab: the source cells each output cell covers, with the fraction of each it covers.
    private static AreaEntry[] AreaTable(int srcSize, int dstSize, double scale)
    {
        var tab = new List<AreaEntry>(srcSize * 2);
        for (int dx = 0; dx < dstSize; dx++)
        {
            double fsx1 = dx * scale;
            double fsx2 = fsx1 + scale;
            double cellWidth = Math.Min(scale, srcSize - fsx1);
            int sx1 = (int)Math.Ceiling(fsx1), sx2 = (int)Math.Floor(fsx2);
            sx2 = Math.Min(sx2, srcSize - 1);
            sx1 = Math.Min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3) tab.Add(new AreaEntry(dx, sx1 - 1, (float)((sx1 - fsx1) / cellWidth)));
            for (int sx = sx1; sx < sx2; sx++) tab.Add(new AreaEntry(dx, sx, (float)(1.0 / cellWidth)));
            if (fsx2 - sx2 > 1e-3) tab.Add(new AreaEntry(dx, sx2, (float)(Math.Min(Math.Min(fsx2 - sx2, 1.0), cellWidth) / cellWidth)));
        }
        return [.. tab];
    }

    // saturate_cast<int>(double) and saturate_cast<short>(float): round half to even, then clamp.
    private static int SaturateRound(double v) => (int)Math.Clamp(Math.Round(v, MidpointRounding.ToEven), int.MinValue, int.MaxValue);

    private static short SaturateShort(float v) => (short)Math.Clamp(MathF.Round(v, MidpointRounding.ToEven), short.MinValue, short.MaxValue);
}
