using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A kernel written in 16-bit integers, with every partial sum of 8-bit pixels provably inside one 16-bit
/// range — so a frame can be filtered in 16-bit lanes with wrapping multiply-adds and still give the exact
/// conv2d result, rounded as OpenCV's <c>saturate_cast</c> rounds (half to even). Either rank one,
/// <c>weights = (Column ⊗ Row) / 2^Shift</c> (two passes), or direct, <c>weights[y, x] = Weights[y, x] / 2^Shift</c>.
/// </summary>
/// <remarks>
/// Wrapping is safe because multiply and add are exact modulo 2^16: the horizontal sums may wrap in the
/// ring, and the final sum S (plus bias and rounding offset) is still recovered exactly when its true
/// value lies in [0, 65535] (<see cref="Signed"/> false) or [-32768, 32767] (true).
/// </remarks>
internal sealed record FixedPointPlan(short[]? Column, short[]? Row, short[,]? Weights, int Shift, int Bias, bool Signed)
{
    /// <summary>Largest fractional bit count looked for in a factor.</summary>
    private const int MaxFactorBits = 15;

    public bool Separable => Column is not null;

    /// <summary>The plan for <paramref name="filter"/>, or null when its maths does not fit in 16 bits exactly.</summary>
    public static FixedPointPlan? TryCreate(FilterDefinition filter, ConvolutionGeometry g)
    {
        if (filter.Mode != FilterMode.Linear || filter.PerChannelKernels || filter.Kernels.Count != 1) return null;
        if (filter.Channels is { } sel && Enumerable.Range(0, g.InputChannels).Any(c => !sel.Contains(c))) return null;
        if (g.Stride != Pair.Of(1)) return null;
        if (filter.BorderValue != MathF.Round(filter.BorderValue) || filter.BorderValue is < 0 or > 255) return null;

        var k = filter.Kernels[0].Scaled(filter.Scale);
        return TrySeparable(k, filter.Bias) ?? TryDirect(k, filter.Bias);
    }

    private static FixedPointPlan? TrySeparable(Kernel k, float filterBias)
    {
        float[] column, row;
        if (k.Height == 1) (column, row) = ([1f], k.Weights.ToArray());
        else if (k.Width == 1) (column, row) = (k.Weights.ToArray(), [1f]);
        else if (!k.TrySeparate(out column, out row)) return null;
        if (!TryInteger(column, out var c, out int cBits) || !TryInteger(row, out var r, out int rBits)) return null;
        int shift = cBits + rBits;
        if (shift > MaxFactorBits || !TryBias(filterBias, shift, out int bias)) return null;

        // Range of the horizontal sums over pixels in [0, 255], then of the vertical sum.
        long hMin = 255L * r.Where(v => v < 0).Sum(v => (long)v), hMax = 255L * r.Where(v => v > 0).Sum(v => (long)v);
        long sMin = bias, sMax = bias;
        foreach (long v in c)
        {
            sMin += Math.Min(v * hMin, v * hMax);
            sMax += Math.Max(v * hMin, v * hMax);
        }
        return Fits(sMin, sMax, shift) is { } signed ? new FixedPointPlan(c, r, null, shift, bias, signed) : null;
    }

    private static FixedPointPlan? TryDirect(Kernel k, float filterBias)
    {
        if (!TryInteger(k.Weights.ToArray(), out var flat, out int shift) || !TryBias(filterBias, shift, out int bias)) return null;
        var weights = new short[k.Height, k.Width];
        for (int y = 0; y < k.Height; y++)
            for (int x = 0; x < k.Width; x++) weights[y, x] = flat[y * k.Width + x];
        long sMin = bias + 255L * flat.Where(v => v < 0).Sum(v => (long)v);
        long sMax = bias + 255L * flat.Where(v => v > 0).Sum(v => (long)v);
        return Fits(sMin, sMax, shift) is { } signed ? new FixedPointPlan(null, null, weights, shift, bias, signed) : null;
    }

    // bias · 2^shift as an integer in range, or false.
    private static bool TryBias(float filterBias, int shift, out int bias)
    {
        double b = filterBias * Math.Pow(2, shift);
        bias = (int)b;
        return b == Math.Round(b) && Math.Abs(b) <= 65535;
    }

    // Signed (true) or unsigned (false) 16-bit range holding [sMin, sMax + rounding offset]; null if neither.
    private static bool? Fits(long sMin, long sMax, int shift)
    {
        long half = shift > 0 ? 1L << (shift - 1) : 0;
        if (sMin >= 0 && sMax + half <= ushort.MaxValue) return false;
        if (sMin >= short.MinValue && sMax + half <= short.MaxValue) return true;
        return null;
    }

    // w = v / 2^bits with integer v in the int16 range and the fewest bits.
    private static bool TryInteger(float[] weights, out short[] values, out int bits)
    {
        values = new short[weights.Length];
        for (bits = 0; bits <= MaxFactorBits; bits++)
        {
            bool integral = true;
            for (int i = 0; i < weights.Length && integral; i++)
            {
                double v = weights[i] * Math.Pow(2, bits);
                integral = v == Math.Round(v) && Math.Abs(v) <= short.MaxValue;
                if (integral) values[i] = (short)v;
            }
            if (integral) return true;
        }
        return false;
    }
}
