using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A rank-one kernel whose factors are small dyadic numbers (Gaussians with 8-bit fixed-point weights,
/// Sobel, binomials): computed exactly in integers — 16-bit horizontal sums, 32-bit vertical sums, one
/// round-half-to-even shift at the end — so results are bit-exact and twice as wide per instruction as float.
/// </summary>
/// <remarks>
/// Measured on the 2-core CI machine (AVX2), 1080p BGR, gaussian 5×5: float two-pass 3.1–3.6 ms,
/// this path: see the README's bench table. Used only with AVX2 (and outputs contiguous: stride 1 in x);
/// elsewhere the float path gives the same answers.
/// </remarks>
internal sealed class IntegerSeparable
{
    private IntegerSeparable(short[] row, int[] column, int shift, bool unsigned)
    {
        Row = row;
        Column = column;
        Shift = shift;
        Unsigned = unsigned;
        // Unsigned 16-bit sums are stored offset by −32768 so pmaddwd (signed) can take them; this adds it back.
        Correction = unsigned ? 32768L * column.Sum() : 0;
    }

    public short[] Row { get; }
    public int[] Column { get; }

    /// <summary>The result is (Σ column·Σ row·pixel) / 2^Shift.</summary>
    public int Shift { get; }

    /// <summary>Horizontal sums are non-negative and may exceed 32767 (kept as unsigned 16-bit).</summary>
    public bool Unsigned { get; }

    public long Correction { get; }

    public static bool Supported => Avx2.IsSupported;

    /// <summary>The integer form of <paramref name="kernel"/>, or null when it is not rank one with small dyadic factors.</summary>
    public static IntegerSeparable? TryCreate(Kernel kernel)
    {
        if (!kernel.TrySeparate(out var column, out var row)) return null;
        if (!ToIntegers(row, out var r, out int rowShift) || !ToIntegers(column, out var c, out int columnShift)) return null;
        long rowAbs = r.Sum(v => (long)Math.Abs(v));
        bool unsigned;
        if (rowAbs * 255 <= short.MaxValue) unsigned = false;
        else if (r.All(v => v >= 0) && rowAbs * 255 <= ushort.MaxValue) unsigned = true;
        else return null;
        long hMax = unsigned ? 65535 : rowAbs * 255;
        if (c.Any(v => Math.Abs(v) > short.MaxValue) || c.Sum(v => (long)Math.Abs(v)) * hMax + 32768L * c.Sum(v => (long)Math.Abs(v)) >= int.MaxValue / 2)
            return null;
        if (rowShift + columnShift > 16) return null; // keeps bias·2^shift (|bias| ≤ 1024) far inside int32
        return new IntegerSeparable(r.Select(v => (short)v).ToArray(), c, rowShift + columnShift, unsigned);
    }

    // v·2^shift integral for the smallest shift ≤ 16, with every value within int16.
    private static bool ToIntegers(float[] values, out int[] ints, out int shift)
    {
        for (shift = 0; shift <= 16; shift++)
        {
            float scale = MathF.ScaleB(1f, shift);
            if (values.All(v => v * scale == MathF.Round(v * scale) && MathF.Abs(v * scale) <= short.MaxValue))
            {
                ints = values.Select(v => (int)(v * scale)).ToArray();
                return true;
            }
        }
        ints = [];
        return false;
    }

    /// <summary>h[i] = Σ_t weights[t]·src[i + offsets[t]] in 16-bit lanes (exact: the bounds were checked at creation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Horizontal(byte* src, int* offsets, short* weights, int taps, short* h, int n)
    {
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            Vector256<short> a0 = default, a1 = default;
            for (int t = 0; t < taps; t++)
            {
                var w = Vector256.Create(weights[t]);
                byte* p = src + offsets[t] + i;
                a0 = Avx2.Add(a0, Avx2.MultiplyLow(Avx2.ConvertToVector256Int16(p), w));
                a1 = Avx2.Add(a1, Avx2.MultiplyLow(Avx2.ConvertToVector256Int16(p + 16), w));
            }
            a0.Store(h + i);
            a1.Store(h + i + 16);
        }
        for (; i < n; i++)
        {
            int a = 0;
            for (int t = 0; t < taps; t++) a += weights[t] * src[offsets[t] + i];
            h[i] = (short)a;
        }
    }

    /// <summary>Vertical pass into bytes: dst[i] = saturate(round_half_even(Σ column[k]·rows[k][i] / 2^Shift) + bias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void VerticalToBytes(short** rows, int bias, byte* dst, int n)
    {
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            var (a0, a1) = Sum16(rows, i);
            var (b0, b1) = Sum16(rows, i + 16);
            var s0 = Avx2.PackSignedSaturate(Finish(a0, bias), Finish(a1, bias));
            var s1 = Avx2.PackSignedSaturate(Finish(b0, bias), Finish(b1, bias));
            Avx2.Permute4x64(Avx2.PackUnsignedSaturate(s0, s1).AsInt64(), 0b11_01_10_00).AsByte().Store(dst + i);
        }
        for (; i < n; i++) dst[i] = (byte)Math.Clamp(RoundShift(ScalarSum(rows, i) + ((long)bias << Shift)), 0, 255);
    }

    /// <summary>Vertical pass into floats (for a gradient magnitude): dst[i] = Σ column[k]·rows[k][i] / 2^Shift, exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void VerticalToFloat(short** rows, float* dst, int n)
    {
        var scale = Vector256.Create(MathF.ScaleB(1f, -Shift));
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            var (lo, hi) = Sum16(rows, i);
            // Sum16's lanes are interleaved by 128-bit halves: [0..3 | 8..11] and [4..7 | 12..15].
            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Permute2x128(lo, hi, 0x20)), scale).Store(dst + i);
            Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Permute2x128(lo, hi, 0x31)), scale).Store(dst + i + 8);
        }
        for (; i < n; i++) dst[i] = MathF.ScaleB(ScalarSum(rows, i), -Shift);
    }

    // 16 outputs as two int32 vectors, lanes [0..3 | 8..11] and [4..7 | 12..15] (unpack works within 128-bit halves).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe (Vector256<int> Lo, Vector256<int> Hi) Sum16(short** rows, int i)
    {
        Vector256<int> lo = default, hi = default;
        var flip = Vector256.Create(Unsigned ? unchecked((short)0x8000) : (short)0);
        int taps = Column.Length;
        for (int k = 0; k < taps; k += 2)
        {
            var a = Avx2.Xor(Vector256.Load(rows[k] + i), flip);
            var b = k + 1 < taps ? Avx2.Xor(Vector256.Load(rows[k + 1] + i), flip) : Vector256<short>.Zero;
            var w = Vector256.Create((ushort)Column[k] | ((k + 1 < taps ? Column[k + 1] : 0) << 16)).AsInt16();
            lo = Avx2.Add(lo, Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(a, b), w));
            hi = Avx2.Add(hi, Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(a, b), w));
        }
        if (Correction != 0)
        {
            var c = Vector256.Create((int)Correction);
            lo = Avx2.Add(lo, c);
            hi = Avx2.Add(hi, c);
        }
        return (lo, hi);
    }

    // The bias joins before rounding (as filter2D's delta does: ties round to even after it is added), then
    // round half to even by an arithmetic shift: (x + half − 1 + parity(floor(x / 2^s))) >> s.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Finish(Vector256<int> x, int bias)
    {
        x += Vector256.Create(bias << Shift);
        if (Shift > 0)
        {
            var parity = (x >> Shift) & Vector256.Create(1);
            x = (x + Vector256.Create((1 << (Shift - 1)) - 1) + parity) >> Shift;
        }
        return x;
    }

    private unsafe long ScalarSum(short** rows, int i)
    {
        long sum = 0;
        for (int k = 0; k < Column.Length; k++)
            sum += (long)Column[k] * (Unsigned ? (ushort)rows[k][i] : rows[k][i]);
        return sum;
    }

    private long RoundShift(long x)
    {
        if (Shift == 0) return x;
        long half = 1L << (Shift - 1);
        return (x + half - 1 + ((x >> Shift) & 1)) >> Shift;
    }
}
