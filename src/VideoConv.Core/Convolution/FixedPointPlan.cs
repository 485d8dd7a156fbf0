using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// <para>
/// A third kind, <see cref="Wide"/>, is rank one with 16-bit horizontal sums but 2-D sums that need more bits
/// (the library's σ 1.2 Gaussian: weights k/256, 2-D sums up to 255·2^14). Its horizontal pass stores
/// G = H − <see cref="HorizontalOffset"/>, centred so that G, and the sum of two G, fit signed 16 bits; its vertical
/// pass multiplies row pairs into 32-bit sums (pmaddwd), and the final sum S, below 2^24, is scaled in float32
/// exactly and rounded half to even by the conversion. See <see cref="FixedPointWideRowOps"/>.
/// </para>
/// <para>
/// A fourth, <see cref="Magnitude"/>, is a gradient magnitude of two integer kernels (Sobel, Prewitt): gx and gy
/// summed exactly in 16 bits, then sqrt(gx² + gy²) + <see cref="MagnitudeBias"/> by the very float32 operations
/// the float path applies to the same (exact) gx and gy, so the bits are the float path's.
/// </para>
internal sealed record FixedPointPlan(short[]? Column, short[]? Row, short[,]? Weights, int Shift, int Bias, bool Signed,
    bool Wide = false, int HorizontalOffset = 0, short[,]? WeightsY = null, float MagnitudeBias = 0)
{
    public bool Magnitude => WeightsY is not null;

    /// <summary>Largest |S| of a wide plan: float32 holds every integer up to 2^24 exactly.</summary>
    private const long WideLimit = 1L << 24;

    /// <summary>Largest fractional bit count looked for in a factor.</summary>
    private const int MaxFactorBits = 15;

    public bool Separable => Column is not null;

    /// <summary>A wide plan's constant: the bias plus the horizontal offset taken out of every row, k = Bias + HorizontalOffset · ΣColumn.</summary>
    public int WideConstant => Bias + HorizontalOffset * Column!.Sum(v => v);

    /// <summary>The plan for <paramref name="filter"/>, or null when its maths does not fit in 16 bits exactly.</summary>
    public static FixedPointPlan? TryCreate(FilterDefinition filter, ConvolutionGeometry g)
    {
        if (filter.PerChannelKernels) return null;
        if (filter.Channels is { } sel && Enumerable.Range(0, g.InputChannels).Any(c => !sel.Contains(c))) return null;
        if (g.Stride != Pair.Of(1)) return null;
        if (filter.BorderValue != MathF.Round(filter.BorderValue) || filter.BorderValue is < 0 or > 255) return null;
        if (filter.Mode == FilterMode.GradientMagnitude && filter.Kernels.Count == 2) return TryMagnitude(filter);
        if (filter.Mode != FilterMode.Linear || filter.Kernels.Count != 1) return null;

        var k = filter.Kernels[0].Scaled(filter.Scale);
        return TrySeparable(k, filter.Bias) ?? TryDirect(k, filter.Bias) ?? TryWide(k, filter.Bias);
    }

    private static FixedPointPlan? TrySeparable(Kernel k, float filterBias)
    {
        if (!TryFactors(k, out var c, out var r, out int shift)) return null;
        if (shift > MaxFactorBits || !TryBias(filterBias, shift, ushort.MaxValue, out int bias)) return null;
        var (sMin, sMax) = SumRange(c, r, bias);
        return Fits(sMin, sMax, shift) is { } signed ? new FixedPointPlan(c, r, null, shift, bias, signed) : null;
    }

    // Both kernels integer (after scale), of one size, each sum within signed 16 bits.
    private static FixedPointPlan? TryMagnitude(FilterDefinition filter)
    {
        var (kx, ky) = (filter.Kernels[0].Scaled(filter.Scale), filter.Kernels[1].Scaled(filter.Scale));
        if (kx.Height != ky.Height || kx.Width != ky.Width) return null;
        short[,]? Integer(Kernel k)
        {
            if (!TryInteger(k.Weights.ToArray(), out var flat, out int bits) || bits != 0) return null;
            if (255L * flat.Sum(v => Math.Abs((long)v)) > short.MaxValue) return null;
            var w = new short[k.Height, k.Width];
            for (int y = 0; y < k.Height; y++)
                for (int x = 0; x < k.Width; x++) w[y, x] = flat[y * k.Width + x];
            return w;
        }
        return Integer(kx) is { } wx && Integer(ky) is { } wy
            ? new FixedPointPlan(null, null, wx, 0, 0, true, WeightsY: wy, MagnitudeBias: filter.Bias)
            : null;
    }

    private static FixedPointPlan? TryWide(Kernel k, float filterBias)
    {
        // Without SSSE3 (not x86) its loops are scalar, slower than the float path's portable vectors.
        if (!Ssse3.IsSupported && Vector128.IsHardwareAccelerated) return null;
        if (!TryFactors(k, out var c, out var r, out int shift) || !TryBias(filterBias, shift, WideLimit, out int bias)) return null;
        // The horizontal pass multiplies byte pairs (pmaddubsw: u8 × s8); see RowPairs.
        if (r.Any(v => v is < sbyte.MinValue or > sbyte.MaxValue)) return null;
        var (hMin, hMax) = HorizontalRange(r);
        long offset = (hMin + hMax) >> 1;
        if (hMin - offset < short.MinValue || hMax - offset > short.MaxValue) return null;
        var (sMin, sMax) = SumRange(c, r, bias);
        // S, the constant k = bias + offset · Σc and S − k (the sums of row pairs) all below 2^24: exact in float32.
        long constant = bias + offset * c.Sum(v => (long)v);
        if (Math.Max(-sMin, sMax) >= WideLimit || Math.Abs(constant) >= WideLimit || Math.Max(constant - sMin, sMax - constant) >= WideLimit) return null;
        return new FixedPointPlan(c, r, null, shift, bias, sMin < 0, Wide: true, HorizontalOffset: (int)offset);
    }

    /// <summary>
    /// The wide horizontal pass's byte pairs: consecutive non-zero taps whose two products cannot saturate
    /// pmaddubsw's 16-bit sum, otherwise a tap alone (B = -1; one signed-byte weight times 255 always fits).
    /// </summary>
    public static (int A, int B)[] RowPairs(short[] row)
    {
        var taps = Enumerable.Range(0, row.Length).Where(x => row[x] != 0).ToArray();
        var pairs = new List<(int, int)>();
        for (int t = 0; t < taps.Length; t++)
        {
            if (t + 1 < taps.Length)
            {
                int a = row[taps[t]], b = row[taps[t + 1]];
                if (255 * (Math.Max(a, 0) + Math.Max(b, 0)) <= short.MaxValue && 255 * (Math.Min(a, 0) + Math.Min(b, 0)) >= short.MinValue)
                {
                    pairs.Add((taps[t], taps[++t]));
                    continue;
                }
            }
            pairs.Add((taps[t], -1));
        }
        return [.. pairs];
    }

    /// <summary>Range of the horizontal sums over pixels in [0, 255].</summary>
    public static (long Min, long Max) HorizontalRange(short[] row) =>
        (255L * row.Where(v => v < 0).Sum(v => (long)v), 255L * row.Where(v => v > 0).Sum(v => (long)v));

    private static bool TryFactors(Kernel k, out short[] c, out short[] r, out int shift)
    {
        float[] column, row;
        c = r = [];
        shift = 0;
        if (k.Height == 1) (column, row) = ([1f], k.Weights.ToArray());
        else if (k.Width == 1) (column, row) = (k.Weights.ToArray(), [1f]);
        else if (!k.TrySeparate(out column, out row)) return false;
        if (!TryInteger(column, out c, out int cBits) || !TryInteger(row, out r, out int rBits)) return false;
        shift = cBits + rBits;
        return true;
    }

    // Range of the horizontal sums, then of the vertical sum (bias included).
    private static (long Min, long Max) SumRange(short[] c, short[] r, int bias)
    {
        var (hMin, hMax) = HorizontalRange(r);
        long sMin = bias, sMax = bias;
        foreach (long v in c)
        {
            sMin += Math.Min(v * hMin, v * hMax);
            sMax += Math.Max(v * hMin, v * hMax);
        }
        return (sMin, sMax);
    }

    private static FixedPointPlan? TryDirect(Kernel k, float filterBias)
    {
        if (!TryInteger(k.Weights.ToArray(), out var flat, out int shift) || !TryBias(filterBias, shift, ushort.MaxValue, out int bias)) return null;
        var weights = new short[k.Height, k.Width];
        for (int y = 0; y < k.Height; y++)
            for (int x = 0; x < k.Width; x++) weights[y, x] = flat[y * k.Width + x];
        long sMin = bias + 255L * flat.Where(v => v < 0).Sum(v => (long)v);
        long sMax = bias + 255L * flat.Where(v => v > 0).Sum(v => (long)v);
        return Fits(sMin, sMax, shift) is { } signed ? new FixedPointPlan(null, null, weights, shift, bias, signed) : null;
    }

    // bias · 2^shift as an integer of magnitude at most limit, or false.
    private static bool TryBias(float filterBias, int shift, long limit, out int bias)
    {
        double b = filterBias * Math.Pow(2, shift);
        bool ok = b == Math.Round(b) && Math.Abs(b) <= limit;
        bias = ok ? (int)b : 0;
        return ok;
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
