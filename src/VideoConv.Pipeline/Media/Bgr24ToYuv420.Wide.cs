using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// The 512-bit form of <see cref="Bgr24ToYuv420"/>'s MMX rows (AVX-512BW): 64 pixels of each row a step, the same
/// products, shifts, averages and packs lane by lane as the 256-bit loop — so the same bytes (the tests run both).
/// </summary>
internal static unsafe partial class Bgr24ToYuv420
{
    /// <summary>False: the 256-bit loop even where AVX-512BW is (tests run both tiers in one process).</summary>
    internal static volatile bool AllowWide = true;

    private static bool Wide => AllowWide && Vector512.IsHardwareAccelerated && Avx512BW.IsSupported;

    // 16 pixels (48 bytes) from one 64-byte load: pixels 4k..4k+3 (dwords 3k..3k+2) into lane k's bytes 0..11.
    private static readonly Vector512<int> s_spread = Vector512.Create(0, 1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 11, 11);

    // After the packs, lane k holds dword k of each of the four groups; this puts dword j (pixels 4j..4j+3) in place j.
    private static readonly Vector512<int> s_order16 = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);

    private static readonly Vector512<long> s_evenQwords = Vector512.Create(0L, 2, 4, 6, 8, 10, 12, 14);

    // The last group of a step is loaded from 16 bytes before it (its dwords 4..15), so no load passes the step's 192
    // bytes and the loop runs to the last whole 64 pixels (1920 wide: all of them; stopping 6 pixels early left 64 of
    // each row pair to the narrower loops, 7 % of this conversion's time in the 1080p run).
    private static readonly Vector512<int> s_spreadLast = Vector512.Create(4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12, 12, 13, 14, 15, 15);

    private static int SimdPixels64(int width) => width / 64 * 64;

    /// <summary>The 256-bit loop's work for as many 64-pixel steps as fit; returns the pixels done.</summary>
    private static int MmxRows64(byte* s0, byte* s1, byte* y0, byte* y1, byte* u, byte* v, int width)
    {
        var bgY = Vector512.Create(Pair(By, Gy).AsInt32().ToScalar()).AsInt16();
        var rY = Vector512.Create(Pair(Ry, 0).AsInt32().ToScalar()).AsInt16();
        var bgU = Vector512.Create(Pair(Bu, Gu).AsInt32().ToScalar()).AsInt16();
        var rU = Vector512.Create(Pair(Ru, 0).AsInt32().ToScalar()).AsInt16();
        var bgV = Vector512.Create(Pair(Bv, Gv).AsInt32().ToScalar()).AsInt16();
        var rV = Vector512.Create(Pair(Rv, 0).AsInt32().ToScalar()).AsInt16();
        var sixteen = Vector512.Create(16);
        var half = Vector512.Create(128);
        var bgMask = Vector512.Create(s_bg, s_bg);
        var rMask = Vector512.Create(s_r, s_r);
        var evenMask = Vector512.Create(s_even, s_even);
        int x = 0;
        for (int end = SimdPixels64(width); x < end; x += 64)
        {
            byte* p0 = s0 + 3 * x, p1 = s1 + 3 * x;
            Vector512<byte> a0 = Pixels16(p0), a1 = Pixels16(p0 + 48), a2 = Pixels16(p0 + 96), a3 = LastPixels16(p0 + 144);
            Vector512<byte> b0 = Pixels16(p1), b1 = Pixels16(p1 + 48), b2 = Pixels16(p1 + 96), b3 = LastPixels16(p1 + 144);
            Pack(Dot(a0, bgMask, rMask, bgY, rY), Dot(a1, bgMask, rMask, bgY, rY), Dot(a2, bgMask, rMask, bgY, rY), Dot(a3, bgMask, rMask, bgY, rY), sixteen).Store(y0 + x);
            Pack(Dot(b0, bgMask, rMask, bgY, rY), Dot(b1, bgMask, rMask, bgY, rY), Dot(b2, bgMask, rMask, bgY, rY), Dot(b3, bgMask, rMask, bgY, rY), sixteen).Store(y1 + x);
            var (bg0, r0) = Words(Averaged(a0, b0), bgMask, rMask);
            var (bg1, r1) = Words(Averaged(a1, b1), bgMask, rMask);
            var (bg2, r2) = Words(Averaged(a2, b2), bgMask, rMask);
            var (bg3, r3) = Words(Averaged(a3, b3), bgMask, rMask);
            StoreEven(Pack(Dot(bg0, r0, bgU, rU), Dot(bg1, r1, bgU, rU), Dot(bg2, r2, bgU, rU), Dot(bg3, r3, bgU, rU), half), evenMask, u + x / 2);
            StoreEven(Pack(Dot(bg0, r0, bgV, rV), Dot(bg1, r1, bgV, rV), Dot(bg2, r2, bgV, rV), Dot(bg3, r3, bgV, rV), half), evenMask, v + x / 2);
        }
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> LastPixels16(byte* p) => Avx512F.PermuteVar16x32(Vector512.Load(p - 16).AsInt32(), s_spreadLast).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Pixels16(byte* p) => Avx512F.PermuteVar16x32(Vector512.Load(p).AsInt32(), s_spread).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<short> Bg, Vector512<short> R) Words(Vector512<byte> px, Vector512<byte> bgMask, Vector512<byte> rMask) =>
        (Avx512BW.Shuffle(px, bgMask).AsInt16(), Avx512BW.Shuffle(px, rMask).AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<short> bgWords, Vector512<short> rWords, Vector512<short> bg, Vector512<short> r) =>
        Avx512F.ShiftRightArithmetic(
            Avx512F.ShiftRightArithmetic(Avx512BW.MultiplyAddAdjacent(bgWords, bg), 8) + Avx512F.ShiftRightArithmetic(Avx512BW.MultiplyAddAdjacent(rWords, r), 8), 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<byte> px, Vector512<byte> bgMask, Vector512<byte> rMask, Vector512<short> bg, Vector512<short> r)
    {
        var (bgWords, rWords) = Words(px, bgMask, rMask);
        return Dot(bgWords, rWords, bg, r);
    }

    // 64 results (each in 0..255) in pixel order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Pack(Vector512<int> a, Vector512<int> b, Vector512<int> c, Vector512<int> d, Vector512<int> offset)
    {
        var bytes = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(a + offset, b + offset), Avx512BW.PackSignedSaturate(c + offset, d + offset));
        return Avx512F.PermuteVar16x32(bytes.AsInt32(), s_order16).AsByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Averaged(Vector512<byte> row0, Vector512<byte> row1)
    {
        var vertical = Avx512BW.Average(row0, row1);
        return Avx512BW.Average(vertical, Avx512BW.AlignRight(vertical, vertical, 3)); // each byte with the next pixel's, within the lane
    }

    // The even pixels' 32 bytes of 64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreEven(Vector512<byte> values, Vector512<byte> evenMask, byte* dst) =>
        Avx512F.PermuteVar8x64(Avx512BW.Shuffle(values, evenMask).AsInt64(), s_evenQwords).AsByte().GetLower().Store(dst);
}
