using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// The inner loops of <see cref="FixedPointSeparableWorker"/>: 16-bit multiply-adds that wrap modulo 2^16
/// (see <see cref="FixedPointPlan"/> for why the result is still exact). AVX2 first, then Vector128, then
/// a scalar tail that computes the same sums in 32 bits.
/// </summary>
internal static unsafe class FixedPointRowOps
{
    /// <summary>dst[i] = Σ_t weights[t] · src[i + offsets[t]] for i in [0, n), modulo 2^16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Horizontal(byte* src, int* offsets, short* weights, int taps, short* dst, int n)
    {
        int i = 0;
        if (Avx2.IsSupported)
            for (; i <= n - 32; i += 32)
            {
                Vector256<short> a0 = default, a1 = default;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector256.Create(weights[t]);
                    byte* p = src + i + offsets[t];
                    a0 += Avx2.MultiplyLow(Avx2.ConvertToVector256Int16(p), w);
                    a1 += Avx2.MultiplyLow(Avx2.ConvertToVector256Int16(p + 16), w);
                }
                a0.Store(dst + i);
                a1.Store(dst + i + 16);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                Vector128<short> a0 = default, a1 = default;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector128.Create(weights[t]);
                    var (lo, hi) = Vector128.Widen(Vector128.Load(src + i + offsets[t]));
                    a0 += lo.AsInt16() * w;
                    a1 += hi.AsInt16() * w;
                }
                a0.Store(dst + i);
                a1.Store(dst + i + 8);
            }
        for (; i < n; i++)
        {
            int a = 0;
            for (int t = 0; t < taps; t++) a += weights[t] * src[i + offsets[t]];
            dst[i] = (short)a;
        }
    }

    /// <summary>
    /// dst[i] = saturate(round_half_even((bias + Σ_t weights[t] · rows[t][i]) / 2^shift)) for i in [0, n):
    /// the vertical pass and the store. The sum is read as unsigned 16-bit, or signed when <paramref name="signed"/>.
    /// </summary>
    /// <remarks>Half to even in integers: with q = S &gt;&gt; shift, (S + 2^(shift-1) - 1 + (q &amp; 1)) &gt;&gt; shift.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void VerticalStore(short** rows, short* weights, int taps, short bias, int shift, bool signed, byte* dst, int n)
    {
        short halfMinusOne = (short)(shift > 0 ? (1 << (shift - 1)) - 1 : 0);
        short oddMask = (short)(shift > 0 ? 1 : 0);
        int i = 0;
        if (Avx2.IsSupported)
        {
            var b = Vector256.Create(bias);
            var round = Vector256.Create(halfMinusOne);
            var odd = Vector256.Create(oddMask);
            var max = Vector256.Create((ushort)255);
            for (; i <= n - 32; i += 32)
            {
                Vector256<short> a0 = b, a1 = b;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector256.Create(weights[t]);
                    short* p = rows[t] + i;
                    a0 += Avx2.MultiplyLow(Vector256.Load(p), w);
                    a1 += Avx2.MultiplyLow(Vector256.Load(p + 16), w);
                }
                var r0 = Round(a0);
                var r1 = Round(a1);
                var bytes = Avx2.PackUnsignedSaturate(r0, r1); // per 128-bit lane: r0 lo, r1 lo, r0 hi, r1 hi
                Avx2.Permute4x64(bytes.AsUInt64(), 0b11_01_10_00).AsByte().Store(dst + i);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            Vector256<short> Round(Vector256<short> s)
            {
                if (signed)
                {
                    var q = Vector256.ShiftRightArithmetic(s, shift);
                    return Vector256.ShiftRightArithmetic(s + round + (q & odd), shift);
                }
                var u = s.AsUInt16();
                var qu = Vector256.ShiftRightLogical(u, shift);
                var r = Vector256.ShiftRightLogical(u + round.AsUInt16() + (qu & odd.AsUInt16()), shift);
                return Avx2.Min(r, max).AsInt16();
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var b = Vector128.Create(bias);
            var round = Vector128.Create(halfMinusOne);
            var odd = Vector128.Create(oddMask);
            for (; i <= n - 16; i += 16)
            {
                Vector128<short> a0 = b, a1 = b;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector128.Create(weights[t]);
                    short* p = rows[t] + i;
                    a0 += Vector128.Load(p) * w;
                    a1 += Vector128.Load(p + 8) * w;
                }
                Vector128.Narrow(Clamp(a0), Clamp(a1)).Store(dst + i);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            Vector128<ushort> Clamp(Vector128<short> s)
            {
                if (signed)
                {
                    var q = Vector128.ShiftRightArithmetic(s, shift);
                    var r = Vector128.ShiftRightArithmetic(s + round + (q & odd), shift);
                    return Vector128.Min(Vector128.Max(r, Vector128<short>.Zero), Vector128.Create((short)255)).AsUInt16();
                }
                var u = s.AsUInt16();
                var qu = Vector128.ShiftRightLogical(u, shift);
                var ru = Vector128.ShiftRightLogical(u + round.AsUInt16() + (qu & odd.AsUInt16()), shift);
                return Vector128.Min(ru, Vector128.Create((ushort)255));
            }
        }
        for (; i < n; i++)
        {
            int s = bias;
            for (int t = 0; t < taps; t++) s += weights[t] * rows[t][i];
            s = signed ? (short)s : (ushort)s;
            int q = s >> shift;
            int r = (s + halfMinusOne + (q & oddMask)) >> shift;
            dst[i] = (byte)Math.Clamp(r, 0, 255);
        }
    }
}
