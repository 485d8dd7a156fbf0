using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// The inner loops of <see cref="FixedPointWorker"/>: 16-bit multiply-adds that wrap modulo 2^16
/// (see <see cref="FixedPointPlan"/> for why the result is still exact). AVX2 first, then Vector128, then
/// a scalar tail that computes the same sums in 32 bits.
/// </summary>
internal static unsafe class FixedPointRowOps
{
    /// <summary>
    /// dst[i] = Σ_k terms[k].Weight · (a[k][i] + b[k][i]) for i in [0, n), modulo 2^16, b[k] null meaning a term of one
    /// row: the first pass of a separable plan over bytes, its symmetric taps folded (<see cref="FoldedTerm"/>). A term's
    /// rows are source rows (a vertical pass) or one row at two column offsets (a horizontal pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sums(byte** a, byte** b, FoldedTerm* terms, int count, short* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
            for (; i <= n - 128; i += 128)
            {
                Vector512<short> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int k = 0; k < count; k++)
                {
                    byte* p = a[k] + i;
                    var x0 = Widen512(p); var x1 = Widen512(p + 32); var x2 = Widen512(p + 64); var x3 = Widen512(p + 96);
                    if (b[k] is not null)
                    {
                        byte* q = b[k] + i;
                        x0 += Widen512(q); x1 += Widen512(q + 32); x2 += Widen512(q + 64); x3 += Widen512(q + 96);
                    }
                    Weigh(terms[k], ref x0, ref x1, ref x2, ref x3);
                    a0 += x0; a1 += x1; a2 += x2; a3 += x3;
                }
                a0.Store(dst + i);
                a1.Store(dst + i + 32);
                a2.Store(dst + i + 64);
                a3.Store(dst + i + 96);
            }
        if (Avx2.IsSupported)
            // 64 outputs a step, four chains, as the unfolded loops had them (measured 35–45 % faster than 32: 1080p sharpen, 2 threads).
            for (; i <= n - 64; i += 64)
            {
                Vector256<short> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int k = 0; k < count; k++)
                {
                    byte* p = a[k] + i;
                    var x0 = Avx2.ConvertToVector256Int16(p); var x1 = Avx2.ConvertToVector256Int16(p + 16);
                    var x2 = Avx2.ConvertToVector256Int16(p + 32); var x3 = Avx2.ConvertToVector256Int16(p + 48);
                    if (b[k] is not null)
                    {
                        byte* q = b[k] + i;
                        x0 += Avx2.ConvertToVector256Int16(q); x1 += Avx2.ConvertToVector256Int16(q + 16);
                        x2 += Avx2.ConvertToVector256Int16(q + 32); x3 += Avx2.ConvertToVector256Int16(q + 48);
                    }
                    Weigh(terms[k], ref x0, ref x1, ref x2, ref x3);
                    a0 += x0; a1 += x1; a2 += x2; a3 += x3;
                }
                a0.Store(dst + i);
                a1.Store(dst + i + 16);
                a2.Store(dst + i + 32);
                a3.Store(dst + i + 48);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                Vector128<short> a0 = default, a1 = default;
                for (int k = 0; k < count; k++)
                {
                    var w = Vector128.Create(terms[k].Weight);
                    var (lo, hi) = Vector128.Widen(Vector128.Load(a[k] + i));
                    var x0 = lo.AsInt16(); var x1 = hi.AsInt16();
                    if (b[k] is not null)
                    {
                        var (lb, hb) = Vector128.Widen(Vector128.Load(b[k] + i));
                        x0 += lb.AsInt16(); x1 += hb.AsInt16();
                    }
                    a0 += x0 * w;
                    a1 += x1 * w;
                }
                a0.Store(dst + i);
                a1.Store(dst + i + 8);
            }
        for (; i < n; i++)
        {
            int sum = 0;
            for (int k = 0; k < count; k++) sum += terms[k].Weight * (a[k][i] + (b[k] is null ? 0 : b[k][i]));
            dst[i] = (short)sum;
        }
    }

    /// <summary>
    /// dst[i] = saturate(round_half_even((bias + Σ_k terms[k].Weight · (a[k][i] + b[k][i])) / 2^shift)) for i in [0, n),
    /// b[k] null meaning a term of one row: the second pass of a separable plan over the first pass's 16-bit sums, and the
    /// store. The sum is read as unsigned 16-bit, or signed when <paramref name="signed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumsStore(short** a, short** b, FoldedTerm* terms, int count, short bias, int shift, bool signed, byte* dst, int n)
    {
        var r = new Rounding(bias, shift, signed);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            var start = Vector512.Create(bias);
            for (; i <= n - 128; i += 128)
            {
                Vector512<short> a0 = start, a1 = start, a2 = start, a3 = start;
                for (int k = 0; k < count; k++)
                {
                    short* p = a[k] + i;
                    var x0 = Vector512.Load(p); var x1 = Vector512.Load(p + 32); var x2 = Vector512.Load(p + 64); var x3 = Vector512.Load(p + 96);
                    if (b[k] is not null)
                    {
                        short* q = b[k] + i;
                        x0 += Vector512.Load(q); x1 += Vector512.Load(q + 32); x2 += Vector512.Load(q + 64); x3 += Vector512.Load(q + 96);
                    }
                    Weigh(terms[k], ref x0, ref x1, ref x2, ref x3);
                    a0 += x0; a1 += x1; a2 += x2; a3 += x3;
                }
                r.Store512(a0, dst + i);
                r.Store512(a1, dst + i + 32);
                r.Store512(a2, dst + i + 64);
                r.Store512(a3, dst + i + 96);
            }
        }
        if (Avx2.IsSupported)
            for (; i <= n - 64; i += 64)
            {
                Vector256<short> a0 = r.Bias256, a1 = r.Bias256, a2 = r.Bias256, a3 = r.Bias256;
                for (int k = 0; k < count; k++)
                {
                    short* p = a[k] + i;
                    var x0 = Vector256.Load(p); var x1 = Vector256.Load(p + 16); var x2 = Vector256.Load(p + 32); var x3 = Vector256.Load(p + 48);
                    if (b[k] is not null)
                    {
                        short* q = b[k] + i;
                        x0 += Vector256.Load(q); x1 += Vector256.Load(q + 16); x2 += Vector256.Load(q + 32); x3 += Vector256.Load(q + 48);
                    }
                    Weigh(terms[k], ref x0, ref x1, ref x2, ref x3);
                    a0 += x0; a1 += x1; a2 += x2; a3 += x3;
                }
                r.Store(a0, a1, dst + i);
                r.Store(a2, a3, dst + i + 32);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                Vector128<short> a0 = r.Bias128, a1 = r.Bias128;
                for (int k = 0; k < count; k++)
                {
                    var w = Vector128.Create(terms[k].Weight);
                    short* p = a[k] + i;
                    var x0 = Vector128.Load(p); var x1 = Vector128.Load(p + 8);
                    if (b[k] is not null)
                    {
                        short* q = b[k] + i;
                        x0 += Vector128.Load(q); x1 += Vector128.Load(q + 8);
                    }
                    a0 += x0 * w;
                    a1 += x1 * w;
                }
                r.Store(a0, a1, dst + i);
            }
        for (; i < n; i++)
        {
            int sum = bias;
            for (int k = 0; k < count; k++) sum += terms[k].Weight * (a[k][i] + (b[k] is null ? 0 : b[k][i]));
            dst[i] = r.Scalar(sum);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Widen512(byte* p) => Avx512BW.ConvertToVector512Int16(Vector256.Load(p)).AsInt16();

    // x · term.Weight modulo 2^16: a shift for a power of two, nothing for 1, else a multiply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Weigh(FoldedTerm term, ref Vector512<short> x0, ref Vector512<short> x1, ref Vector512<short> x2, ref Vector512<short> x3)
    {
        if (term.Shift < 0)
        {
            var w = Vector512.Create(term.Weight);
            x0 *= w; x1 *= w; x2 *= w; x3 *= w;
        }
        else if (term.Shift > 0)
        {
            x0 <<= term.Shift; x1 <<= term.Shift; x2 <<= term.Shift; x3 <<= term.Shift;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Weigh(FoldedTerm term, ref Vector256<short> x0, ref Vector256<short> x1, ref Vector256<short> x2, ref Vector256<short> x3)
    {
        if (term.Shift < 0)
        {
            var w = Vector256.Create(term.Weight);
            x0 *= w; x1 *= w; x2 *= w; x3 *= w;
        }
        else if (term.Shift > 0)
        {
            x0 <<= term.Shift; x1 <<= term.Shift; x2 <<= term.Shift; x3 <<= term.Shift;
        }
    }

    /// <summary>
    /// dst[i] = saturate(round_half_even((bias + Σ_t weights[t] · rows[t][i]) / 2^shift)) for i in [0, n), with
    /// rows of bytes: a whole non-separable kernel in one pass (each tap's row pointer already offset to its column).
    /// Weights ±1 skip the multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DirectStore(byte** rows, short* weights, int taps, short bias, int shift, bool signed, byte* dst, int n)
    {
        var r = new Rounding(bias, shift, signed);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            // 128 outputs a step, as the 256-bit loop below at twice the width (the same wrapping sums, Store512's
            // rounding). Measured, 1080p sharpen, one core, medians of 192, two alternating runs each, hot / cold
            // frames (SourcePrefetch's A/B): BGR 0.83–0.87 → 0.63–0.64 / 0.90–0.93 → 0.75–0.76 ms, one plane
            // 0.40–0.44 → 0.37–0.39 / 0.46–0.49 → 0.43–0.44 ms.
            var start = Vector512.Create(bias);
            for (; i <= n - 128; i += 128)
            {
                Vector512<short> a0 = start, a1 = start, a2 = start, a3 = start;
                for (int t = 0; t < taps; t++)
                {
                    byte* p = rows[t] + i;
                    var x0 = Widen512(p); var x1 = Widen512(p + 32); var x2 = Widen512(p + 64); var x3 = Widen512(p + 96);
                    short w = weights[t];
                    if (w == 1) { a0 += x0; a1 += x1; a2 += x2; a3 += x3; }
                    else if (w == -1) { a0 -= x0; a1 -= x1; a2 -= x2; a3 -= x3; }
                    else
                    {
                        var wv = Vector512.Create(w);
                        a0 += x0 * wv; a1 += x1 * wv; a2 += x2 * wv; a3 += x3 * wv;
                    }
                }
                r.Store512(a0, dst + i);
                r.Store512(a1, dst + i + 32);
                r.Store512(a2, dst + i + 64);
                r.Store512(a3, dst + i + 96);
            }
        }
        if (Avx2.IsSupported)
        {
            // 64 outputs a step: four independent chains, and the per-tap bookkeeping paid once per 64.
            for (; i <= n - 64; i += 64)
            {
                Vector256<short> a0 = r.Bias256, a1 = r.Bias256, a2 = r.Bias256, a3 = r.Bias256;
                for (int t = 0; t < taps; t++)
                {
                    byte* p = rows[t] + i;
                    var x0 = Avx2.ConvertToVector256Int16(p);
                    var x1 = Avx2.ConvertToVector256Int16(p + 16);
                    var x2 = Avx2.ConvertToVector256Int16(p + 32);
                    var x3 = Avx2.ConvertToVector256Int16(p + 48);
                    short w = weights[t];
                    if (w == 1) { a0 += x0; a1 += x1; a2 += x2; a3 += x3; }
                    else if (w == -1) { a0 -= x0; a1 -= x1; a2 -= x2; a3 -= x3; }
                    else
                    {
                        var wv = Vector256.Create(w);
                        a0 += Avx2.MultiplyLow(x0, wv);
                        a1 += Avx2.MultiplyLow(x1, wv);
                        a2 += Avx2.MultiplyLow(x2, wv);
                        a3 += Avx2.MultiplyLow(x3, wv);
                    }
                }
                r.Store(a0, a1, dst + i);
                r.Store(a2, a3, dst + i + 32);
            }
            for (; i <= n - 32; i += 32)
            {
                var (a0, a1) = Sums32(rows, weights, taps, i, r.Bias256);
                r.Store(a0, a1, dst + i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var (a0, a1) = Sums16(rows, weights, taps, i, r.Bias128);
                r.Store(a0, a1, dst + i);
            }
        for (; i < n; i++) dst[i] = r.Scalar(Sum(rows, weights, taps, i, bias));
    }

    /// <summary>
    /// dst[i] = Σ_t weights[t] · rows[t][i] for i in [0, n), modulo 2^16: <see cref="DirectStore"/>'s sums kept as
    /// 16-bit responses (a gradient magnitude's gx and gy). Weights ±1 skip the multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DirectSums(byte** rows, short* weights, int taps, short* dst, int n)
    {
        int i = 0;
        if (Avx2.IsSupported)
            for (; i <= n - 32; i += 32)
            {
                var (a0, a1) = Sums32(rows, weights, taps, i, default);
                a0.Store(dst + i);
                a1.Store(dst + i + 16);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var (a0, a1) = Sums16(rows, weights, taps, i, default);
                a0.Store(dst + i);
                a1.Store(dst + i + 8);
            }
        for (; i < n; i++) dst[i] = (short)Sum(rows, weights, taps, i, 0);
    }

    // The direct 16-bit sums at samples [i, i + 32): start + Σ_t weights[t] · rows[t][i…], wrapping; ±1 skip the multiply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<short>, Vector256<short>) Sums32(byte** rows, short* weights, int taps, int i, Vector256<short> start)
    {
        Vector256<short> a0 = start, a1 = start;
        for (int t = 0; t < taps; t++)
        {
            byte* p = rows[t] + i;
            var x0 = Avx2.ConvertToVector256Int16(p);
            var x1 = Avx2.ConvertToVector256Int16(p + 16);
            short w = weights[t];
            if (w == 1) { a0 += x0; a1 += x1; }
            else if (w == -1) { a0 -= x0; a1 -= x1; }
            else
            {
                var wv = Vector256.Create(w);
                a0 += Avx2.MultiplyLow(x0, wv);
                a1 += Avx2.MultiplyLow(x1, wv);
            }
        }
        return (a0, a1);
    }

    // The same at samples [i, i + 16) with 128-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<short>, Vector128<short>) Sums16(byte** rows, short* weights, int taps, int i, Vector128<short> start)
    {
        Vector128<short> a0 = start, a1 = start;
        for (int t = 0; t < taps; t++)
        {
            var w = Vector128.Create(weights[t]);
            var (lo, hi) = Vector128.Widen(Vector128.Load(rows[t] + i));
            a0 += lo.AsInt16() * w;
            a1 += hi.AsInt16() * w;
        }
        return (a0, a1);
    }

    // The same at sample i, in 32 bits (the caller rounds or wraps).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Sum(byte** rows, short* weights, int taps, int i, int start)
    {
        int sum = start;
        for (int t = 0; t < taps; t++) sum += weights[t] * rows[t][i];
        return sum;
    }

    /// <summary>
    /// dst[i] = saturate_cast(sqrt(gx[i]² + gy[i]²) + bias) from exact 16-bit responses, by the float operations of
    /// <see cref="RowOps.Magnitude"/> and <see cref="RowOps.Store"/> in the same order (so the same bits as the
    /// float path): fused in one loop with AVX2; otherwise through <paramref name="fx"/>/<paramref name="fy"/> and those methods.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MagnitudeStore(short* gx, short* gy, float bias, float* fx, float* fy, byte* dst, int n)
    {
        int i = 0;
        if (Avx2.IsSupported)
        {
            var b = Vector256.Create(bias);
            var big = Vector256.Create(1e9f);
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            for (; i <= n - 32; i += 32)
            {
                var p0 = Response(gx + i, gy + i, b, big);
                var p1 = Response(gx + i + 8, gy + i + 8, b, big);
                var p2 = Response(gx + i + 16, gy + i + 16, b, big);
                var p3 = Response(gx + i + 24, gy + i + 24, b, big);
                var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(p0, p1), Avx2.PackSignedSaturate(p2, p3));
                Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte().Store(dst + i);
            }
        }
        if (i == n) return;
        for (int j = i; j < n; j++)
        {
            fx[j - i] = gx[j];
            fy[j - i] = gy[j];
        }
        RowOps.Magnitude(fx, fy, n - i);
        RowOps.Store(fx, bias, dst + i, n - i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Response(short* gx, short* gy, Vector256<float> bias, Vector256<float> big)
    {
        var x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(gx));
        var y = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(gy));
        var m = Vector256.Sqrt(Vector256.MultiplyAddEstimate(x, x, y * y));
        return Avx.ConvertToVector256Int32(Vector256.MinNative(m + bias, big));
    }

    /// <summary>
    /// The final step of both passes: the 16-bit sum (bias included) read as unsigned or signed, divided by
    /// 2^shift rounding half to even — with q = S &gt;&gt; shift, (S + 2^(shift-1) - 1 + (q &amp; 1)) &gt;&gt; shift — then
    /// clamped to [0, 255] and packed to bytes.
    /// </summary>
    private readonly struct Rounding
    {
        private readonly int _shift;
        private readonly bool _signed;
        private readonly short _halfMinusOne, _oddMask;
        public readonly Vector256<short> Bias256;
        public readonly Vector128<short> Bias128;
        private readonly Vector256<short> _round256, _odd256;
        private readonly Vector128<short> _round128, _odd128;

        public Rounding(short bias, int shift, bool signed)
        {
            _shift = shift;
            _signed = signed;
            _halfMinusOne = (short)(shift > 0 ? (1 << (shift - 1)) - 1 : 0);
            _oddMask = (short)(shift > 0 ? 1 : 0);
            Bias256 = Vector256.Create(bias);
            Bias128 = Vector128.Create(bias);
            _round256 = Vector256.Create(_halfMinusOne);
            _odd256 = Vector256.Create(_oddMask);
            _round128 = Vector128.Create(_halfMinusOne);
            _odd128 = Vector128.Create(_oddMask);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<short> s0, Vector256<short> s1, byte* dst)
        {
            var bytes = Avx2.PackUnsignedSaturate(Round(s0), Round(s1)); // per 128-bit lane: s0 lo, s1 lo, s0 hi, s1 hi
            Avx2.Permute4x64(bytes.AsUInt64(), 0b11_01_10_00).AsByte().Store(dst);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<short> Round(Vector256<short> s)
        {
            var round = _round256;
            var odd = _odd256;
            if (_signed)
            {
                var q = Vector256.ShiftRightArithmetic(s, _shift);
                return Vector256.ShiftRightArithmetic(s + round + (q & odd), _shift); // the signed pack clamps to [0, 255]
            }
            var u = s.AsUInt16();
            var qu = Vector256.ShiftRightLogical(u, _shift);
            var r = Vector256.ShiftRightLogical(u + round.AsUInt16() + (qu & odd.AsUInt16()), _shift);
            return Vector256.Min(r, Vector256.Create((ushort)255)).AsInt16();
        }

        // 32 sums to 32 bytes in order: rounded as Round, then vpmovuswb's unsigned saturation (after max 0 when signed).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store512(Vector512<short> s, byte* dst)
        {
            var round = Vector512.Create(_halfMinusOne);
            var odd = Vector512.Create(_oddMask);
            Vector512<ushort> r;
            if (_signed)
            {
                var q = Vector512.ShiftRightArithmetic(s, _shift);
                r = Vector512.Max(Vector512.ShiftRightArithmetic(s + round + (q & odd), _shift), Vector512<short>.Zero).AsUInt16();
            }
            else
            {
                var u = s.AsUInt16();
                var qu = Vector512.ShiftRightLogical(u, _shift);
                r = Vector512.ShiftRightLogical(u + round.AsUInt16() + (qu & odd.AsUInt16()), _shift);
            }
            Avx512BW.ConvertToVector256ByteWithSaturation(r).Store(dst);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector128<short> s0, Vector128<short> s1, byte* dst) => Vector128.Narrow(Clamp(s0), Clamp(s1)).Store(dst);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<ushort> Clamp(Vector128<short> s)
        {
            var round = _round128;
            var odd = _odd128;
            if (_signed)
            {
                var q = Vector128.ShiftRightArithmetic(s, _shift);
                var r = Vector128.ShiftRightArithmetic(s + round + (q & odd), _shift);
                return Vector128.Min(Vector128.Max(r, Vector128<short>.Zero), Vector128.Create((short)255)).AsUInt16();
            }
            var u = s.AsUInt16();
            var qu = Vector128.ShiftRightLogical(u, _shift);
            var ru = Vector128.ShiftRightLogical(u + round.AsUInt16() + (qu & odd.AsUInt16()), _shift);
            return Vector128.Min(ru, Vector128.Create((ushort)255));
        }

        public byte Scalar(int sum)
        {
            int s = _signed ? (short)sum : (ushort)sum;
            int q = s >> _shift;
            return (byte)Math.Clamp((s + _halfMinusOne + (q & _oddMask)) >> _shift, 0, 255);
        }
    }
}

/// <summary>
/// One term of a folded tap list: Weight · (x[A] + x[B]), or Weight · x[A] when B &lt; 0 — a symmetric kernel's two taps
/// of one weight summed first and multiplied once (exact: every sum is taken modulo 2^16, see <see cref="FixedPointPlan"/>).
/// A weight that is a power of two, 2^Shift with Shift &gt; 0, is applied as a shift; 1 (Shift 0) not at all; any other
/// weight (Shift −1) by a multiply.
/// </summary>
internal readonly record struct FoldedTerm(int A, int B, short Weight, int Shift)
{
    /// <summary>
    /// The terms for taps at <paramref name="positions"/> (ascending) with <paramref name="weights"/>: from the outside in,
    /// two taps of one weight placed symmetrically about the middle become one term; every other tap is a term of its own.
    /// </summary>
    public static FoldedTerm[] Fold(int[] positions, short[] weights)
    {
        if (positions.Length == 0) return []; // an all-zero kernel: the bias alone
        var terms = new List<FoldedTerm>();
        int lo = 0, hi = positions.Length - 1, centre2 = positions[0] + positions[^1];
        for (; lo < hi; lo++, hi--)
        {
            if (weights[lo] == weights[hi] && positions[lo] + positions[hi] == centre2)
                terms.Add(Make(positions[lo], positions[hi], weights[lo]));
            else
            {
                terms.Add(Make(positions[lo], -1, weights[lo]));
                terms.Add(Make(positions[hi], -1, weights[hi]));
            }
        }
        if (lo == hi) terms.Add(Make(positions[lo], -1, weights[lo]));
        return [.. terms];
    }

    private static FoldedTerm Make(int a, int b, short w) =>
        new(a, b, w, w > 0 && (w & (w - 1)) == 0 ? System.Numerics.BitOperations.Log2((uint)w) : -1);
}

