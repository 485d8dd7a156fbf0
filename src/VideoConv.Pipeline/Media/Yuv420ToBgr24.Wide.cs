using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// The 512-bit form of <see cref="Yuv420ToBgr24"/>'s row loop (AVX-512BW): 64 pixels a step, the same words, products,
/// saturating adds and packs lane by lane as the 256-bit loop — so the same bytes (the tests run both).
/// </summary>
internal static unsafe partial class Yuv420ToBgr24
{
    /// <summary>False: the 256-bit loop even where AVX-512BW is (tests run both tiers in one process).</summary>
    internal static volatile bool AllowWide = true;

    private static bool Wide => AllowWide && Vector512.IsHardwareAccelerated && Avx512BW.IsSupported;

    private static readonly Vector512<long> s_chromaQwords = Vector512.Create(0L, 0, 1, 1, 2, 2, 3, 3); // lane k: samples 8k..8k+7, twice

    // 64 pixels a step; returns the pixels done (the 256-bit loop and Pixel do the rest).
    private static int Row64(in Coefficients c, byte* py, byte* pu, byte* pv, byte* dst, int width)
    {
        var yCoeff = Vector512.Create(c.Y);
        var yOffset = Vector512.Create(c.YOffset);
        var vr = Vector512.Create(c.Vr);
        var ub = Vector512.Create(c.Ub);
        var ug = Vector512.Create(c.Ug);
        var vg = Vector512.Create(c.Vg);
        var chromaOffset = Vector512.Create((short)1024);
        var low = Vector512.Create(s_chromaLow, s_chromaLow);
        var high = Vector512.Create(s_chromaHigh, s_chromaHigh);
        var m = s_interleave;
        Vector512<byte> b0 = Wide4(m[0]), g0 = Wide4(m[1]), r0 = Wide4(m[2]), b1 = Wide4(m[3]), g1 = Wide4(m[4]), r1 = Wide4(m[5]),
            b2 = Wide4(m[6]), g2 = Wide4(m[7]), r2 = Wide4(m[8]);
        int x = 0;
        for (; x + 64 <= width; x += 64)
        {
            // Lane k holds pixels 16k..16k+15 once packed, as in the 256-bit loop.
            var luma = Vector512.Load(py + x);
            var y0 = Avx512BW.MultiplyHigh(Avx512BW.ShiftLeftLogical(Avx512BW.UnpackLow(luma, Vector512<byte>.Zero).AsInt16(), 3) - yOffset, yCoeff);
            var y1 = Avx512BW.MultiplyHigh(Avx512BW.ShiftLeftLogical(Avx512BW.UnpackHigh(luma, Vector512<byte>.Zero).AsInt16(), 3) - yOffset, yCoeff);
            var (u0, u1) = Chroma(pu + x / 2, low, high, chromaOffset);
            var (v0, v1) = Chroma(pv + x / 2, low, high, chromaOffset);
            var green0 = Avx512BW.AddSaturate(Avx512BW.MultiplyHigh(u0, ug), Avx512BW.MultiplyHigh(v0, vg));
            var green1 = Avx512BW.AddSaturate(Avx512BW.MultiplyHigh(u1, ug), Avx512BW.MultiplyHigh(v1, vg));
            var blue = Avx512BW.PackUnsignedSaturate(Avx512BW.AddSaturate(y0, Avx512BW.MultiplyHigh(u0, ub)), Avx512BW.AddSaturate(y1, Avx512BW.MultiplyHigh(u1, ub)));
            var greenBytes = Avx512BW.PackUnsignedSaturate(Avx512BW.AddSaturate(y0, green0), Avx512BW.AddSaturate(y1, green1));
            var red = Avx512BW.PackUnsignedSaturate(Avx512BW.AddSaturate(y0, Avx512BW.MultiplyHigh(v0, vr)), Avx512BW.AddSaturate(y1, Avx512BW.MultiplyHigh(v1, vr)));
            // Lane k of a, b, d: the 16-byte blocks 3k, 3k + 1, 3k + 2 of the 192 output bytes.
            var a = Avx512BW.Shuffle(blue, b0) | Avx512BW.Shuffle(greenBytes, g0) | Avx512BW.Shuffle(red, r0);
            var b = Avx512BW.Shuffle(blue, b1) | Avx512BW.Shuffle(greenBytes, g1) | Avx512BW.Shuffle(red, r1);
            var d = Avx512BW.Shuffle(blue, b2) | Avx512BW.Shuffle(greenBytes, g2) | Avx512BW.Shuffle(red, r2);
            byte* o = dst + 3 * x;
            Store3(a, b, d, 0, o);
            Store3(a, b, d, 1, o + 48);
            Store3(a, b, d, 2, o + 96);
            Store3(a, b, d, 3, o + 144);
        }
        return x;
    }

    private static Vector512<byte> Wide4(Vector256<byte> lanes) => Vector512.Create(lanes, lanes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store3(Vector512<byte> a, Vector512<byte> b, Vector512<byte> d, [ConstantExpected] byte lane, byte* o)
    {
        Avx512F.ExtractVector128(a, lane).Store(o);
        Avx512F.ExtractVector128(b, lane).Store(o + 16);
        Avx512F.ExtractVector128(d, lane).Store(o + 32);
    }

    // 32 chroma samples (64 pixels) as the two word vectors matching the luma's, each 8·s − 1024 (saturating, as psubsw).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<short> First, Vector512<short> Second) Chroma(byte* p, Vector512<byte> low, Vector512<byte> high, Vector512<short> offset)
    {
        var samples = Avx512F.PermuteVar8x64(Vector256.Load(p).AsInt64().ToVector512Unsafe(), s_chromaQwords).AsByte();
        var first = Avx512BW.SubtractSaturate(Avx512BW.ShiftLeftLogical(Avx512BW.Shuffle(samples, low).AsInt16(), 3), offset);
        var second = Avx512BW.SubtractSaturate(Avx512BW.ShiftLeftLogical(Avx512BW.Shuffle(samples, high).AsInt16(), 3), offset);
        return (first, second);
    }
}
