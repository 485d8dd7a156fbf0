using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// The engine's inner loops over one row of float samples. Each goes widest first — Vector512, then
/// Vector256, then Vector128 — and finishes with a scalar tail; the scalar loop alone is the fallback.
/// Which tiers run is decided by the hardware (and <c>DOTNET_EnableAVX512F</c>/<c>EnableAVX2</c>/…),
/// so tests re-run the engine in child processes with each tier switched off.
/// Methods skip tiered compilation (AggressiveOptimization): the first frames of a live run are as fast as the rest.
/// </summary>
internal static unsafe class RowOps
{
    /// <summary>Widest vector tier this process uses, for reports: 512, 256, 128 or 0 (scalar).</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>dst[i] = src[i] for n bytes widened to float.</summary>
    /// <remarks>Converts through signed int32: int→float is one instruction on x86, uint→float is emulated (measured on the CI machine: 2.6 → 0.9 ms per 1080p BGR frame, one core; vpmovzxbd was no faster).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(byte* src, float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 64; i += 64)
            {
                var b = Vector512.Load(src + i);
                var (s0, s1) = Vector512.Widen(b);
                var (a, c) = Vector512.Widen(s0);
                var (d, e) = Vector512.Widen(s1);
                Vector512.ConvertToSingle(a.AsInt32()).Store(dst + i);
                Vector512.ConvertToSingle(c.AsInt32()).Store(dst + i + 16);
                Vector512.ConvertToSingle(d.AsInt32()).Store(dst + i + 32);
                Vector512.ConvertToSingle(e.AsInt32()).Store(dst + i + 48);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 32; i += 32)
            {
                var b = Vector256.Load(src + i);
                var (s0, s1) = Vector256.Widen(b);
                var (a, c) = Vector256.Widen(s0);
                var (d, e) = Vector256.Widen(s1);
                Vector256.ConvertToSingle(a.AsInt32()).Store(dst + i);
                Vector256.ConvertToSingle(c.AsInt32()).Store(dst + i + 8);
                Vector256.ConvertToSingle(d.AsInt32()).Store(dst + i + 16);
                Vector256.ConvertToSingle(e.AsInt32()).Store(dst + i + 24);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var b = Vector128.Load(src + i);
                var (s0, s1) = Vector128.Widen(b);
                var (a, c) = Vector128.Widen(s0);
                var (d, e) = Vector128.Widen(s1);
                Vector128.ConvertToSingle(a.AsInt32()).Store(dst + i);
                Vector128.ConvertToSingle(c.AsInt32()).Store(dst + i + 4);
                Vector128.ConvertToSingle(d.AsInt32()).Store(dst + i + 8);
                Vector128.ConvertToSingle(e.AsInt32()).Store(dst + i + 12);
            }
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>
    /// dst[i] = Σ_t weights[t] · rows[t][i] for i in [0, n): every tap of a kernel for a run of outputs,
    /// with the accumulators held in registers across taps. Eight independent multiply-add chains per step
    /// (four for 512-bit): with four, a 3×3 kernel was latency-bound at 0.76 FMA/cycle on the CI machine
    /// (AMD EPYC, AVX2, FMA latency 5) — 3.76 ms per 1080p BGR row set on one core; eight gave the figure in the README.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot(float** rows, float* weights, int taps, float* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 64; i += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector512.Create(weights[t]);
                    float* p = rows[t] + i;
                    a0 = Vector512.MultiplyAddEstimate(w, Vector512.Load(p), a0);
                    a1 = Vector512.MultiplyAddEstimate(w, Vector512.Load(p + 16), a1);
                    a2 = Vector512.MultiplyAddEstimate(w, Vector512.Load(p + 32), a2);
                    a3 = Vector512.MultiplyAddEstimate(w, Vector512.Load(p + 48), a3);
                }
                a0.Store(dst + i); a1.Store(dst + i + 16); a2.Store(dst + i + 32); a3.Store(dst + i + 48);
            }
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> a = default;
                for (int t = 0; t < taps; t++) a = Vector512.MultiplyAddEstimate(Vector512.Create(weights[t]), Vector512.Load(rows[t] + i), a);
                a.Store(dst + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 64; i += 64)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector256.Create(weights[t]);
                    float* p = rows[t] + i;
                    a0 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p), a0);
                    a1 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 8), a1);
                    a2 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 16), a2);
                    a3 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 24), a3);
                    a4 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 32), a4);
                    a5 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 40), a5);
                    a6 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 48), a6);
                    a7 = Vector256.MultiplyAddEstimate(w, Vector256.Load(p + 56), a7);
                }
                a0.Store(dst + i); a1.Store(dst + i + 8); a2.Store(dst + i + 16); a3.Store(dst + i + 24);
                a4.Store(dst + i + 32); a5.Store(dst + i + 40); a6.Store(dst + i + 48); a7.Store(dst + i + 56);
            }
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> a = default;
                for (int t = 0; t < taps; t++) a = Vector256.MultiplyAddEstimate(Vector256.Create(weights[t]), Vector256.Load(rows[t] + i), a);
                a.Store(dst + i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int t = 0; t < taps; t++)
                {
                    var w = Vector128.Create(weights[t]);
                    float* p = rows[t] + i;
                    a0 = Vector128.MultiplyAddEstimate(w, Vector128.Load(p), a0);
                    a1 = Vector128.MultiplyAddEstimate(w, Vector128.Load(p + 4), a1);
                    a2 = Vector128.MultiplyAddEstimate(w, Vector128.Load(p + 8), a2);
                    a3 = Vector128.MultiplyAddEstimate(w, Vector128.Load(p + 12), a3);
                }
                a0.Store(dst + i); a1.Store(dst + i + 4); a2.Store(dst + i + 8); a3.Store(dst + i + 12);
            }
            for (; i <= n - 4; i += 4)
            {
                Vector128<float> a = default;
                for (int t = 0; t < taps; t++) a = Vector128.MultiplyAddEstimate(Vector128.Create(weights[t]), Vector128.Load(rows[t] + i), a);
                a.Store(dst + i);
            }
        }
        for (; i < n; i++)
        {
            float a = 0;
            for (int t = 0; t < taps; t++) a = MathF.FusedMultiplyAdd(weights[t], rows[t][i], a);
            dst[i] = a;
        }
    }

    /// <summary>dst[i] = Σ_t weights[t] · rows[t][i·step]: the strided form of <see cref="Dot"/> (stride &gt; 1), scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotStrided(float** rows, float* weights, int taps, float* dst, int n, int step, int channels)
    {
        for (int i = 0; i < n; i++)
        {
            int src = i / channels * step * channels + i % channels;
            float a = 0;
            for (int t = 0; t < taps; t++) a = MathF.FusedMultiplyAdd(weights[t], rows[t][src], a);
            dst[i] = a;
        }
    }

    /// <summary>gx[i] = sqrt(gx[i]² + gy[i]²), with the fused multiply-add OpenCV's <c>magnitude</c> uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Magnitude(float* gx, float* gy, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var x = Vector512.Load(gx + i); var y = Vector512.Load(gy + i);
                Vector512.Sqrt(Vector512.MultiplyAddEstimate(x, x, y * y)).Store(gx + i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.Load(gx + i); var y = Vector256.Load(gy + i);
                Vector256.Sqrt(Vector256.MultiplyAddEstimate(x, x, y * y)).Store(gx + i);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4)
            {
                var x = Vector128.Load(gx + i); var y = Vector128.Load(gy + i);
                Vector128.Sqrt(Vector128.MultiplyAddEstimate(x, x, y * y)).Store(gx + i);
            }
        for (; i < n; i++) gx[i] = MathF.Sqrt(MathF.FusedMultiplyAdd(gx[i], gx[i], gy[i] * gy[i]));
    }

    /// <summary>dst[i] = saturate_cast&lt;uchar&gt;(src[i] + bias): round half to even, clamp to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Store(float* src, float bias, byte* dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var b = Vector512.Create(bias); var lo = Vector512<float>.Zero; var hi = Vector512.Create(255f);
            for (; i <= n - 64; i += 64)
            {
                var p0 = ToInt(Vector512.Load(src + i)); var p1 = ToInt(Vector512.Load(src + i + 16));
                var p2 = ToInt(Vector512.Load(src + i + 32)); var p3 = ToInt(Vector512.Load(src + i + 48));
                Vector512.Narrow(Vector512.Narrow(p0, p1), Vector512.Narrow(p2, p3)).Store(dst + i);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            Vector512<uint> ToInt(Vector512<float> v) =>
                Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(Vector512.Round(v + b), lo), hi)).AsUInt32();
        }
        if (Avx2.IsSupported && Vector256.IsHardwareAccelerated)
        {
            // cvtps2dq rounds half to even (the default MXCSR mode), and the two saturating packs clamp to
            // [0, 255] on the way down: 8 instructions per 32 samples instead of ~30 for the portable chain
            // (measured on the CI machine: 0.92 → 0.43 ms per 1080p BGR frame, one core).
            var b = Vector256.Create(bias);
            var big = Vector256.Create(1e9f); // keeps cvtps2dq away from its 0x80000000 "invalid" result
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            for (; i <= n - 32; i += 32)
            {
                var p0 = Avx.ConvertToVector256Int32(Vector256.MinNative(Vector256.Load(src + i) + b, big));
                var p1 = Avx.ConvertToVector256Int32(Vector256.MinNative(Vector256.Load(src + i + 8) + b, big));
                var p2 = Avx.ConvertToVector256Int32(Vector256.MinNative(Vector256.Load(src + i + 16) + b, big));
                var p3 = Avx.ConvertToVector256Int32(Vector256.MinNative(Vector256.Load(src + i + 24) + b, big));
                var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(p0, p1), Avx2.PackSignedSaturate(p2, p3));
                Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte().Store(dst + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(bias); var lo = Vector256<float>.Zero; var hi = Vector256.Create(255f);
            for (; i <= n - 32; i += 32)
            {
                var p0 = ToInt(Vector256.Load(src + i)); var p1 = ToInt(Vector256.Load(src + i + 8));
                var p2 = ToInt(Vector256.Load(src + i + 16)); var p3 = ToInt(Vector256.Load(src + i + 24));
                Vector256.Narrow(Vector256.Narrow(p0, p1), Vector256.Narrow(p2, p3)).Store(dst + i);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            Vector256<uint> ToInt(Vector256<float> v) =>
                Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(Vector256.Round(v + b), lo), hi)).AsUInt32();
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var b = Vector128.Create(bias); var lo = Vector128<float>.Zero; var hi = Vector128.Create(255f);
            for (; i <= n - 16; i += 16)
            {
                var p0 = ToInt(Vector128.Load(src + i)); var p1 = ToInt(Vector128.Load(src + i + 4));
                var p2 = ToInt(Vector128.Load(src + i + 8)); var p3 = ToInt(Vector128.Load(src + i + 12));
                Vector128.Narrow(Vector128.Narrow(p0, p1), Vector128.Narrow(p2, p3)).Store(dst + i);
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            Vector128<uint> ToInt(Vector128<float> v) =>
                Vector128.ConvertToInt32Native(Vector128.MinNative(Vector128.MaxNative(Vector128.Round(v + b), lo), hi)).AsUInt32();
        }
        for (; i < n; i++) dst[i] = Saturate.ToByte(src[i] + bias);
    }
}
