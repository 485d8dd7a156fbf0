using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VideoConv.Core.Convolution;
using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// BGR24 → yuv420p with the same bytes as libswscale's unscaled x86 path for that pair (what a BGR-mode encoder of
/// an input without a colour description uses: <c>SWS_BICUBIC</c>, no <c>SWS_ACCURATE_RND</c>, even width), in AVX2 or
/// AVX-512BW (<c>Bgr24ToYuv420.Wide.cs</c>) — libswscale runs it in MMX, 8 bytes at a time (3.1 ms per 1080p frame on
/// the 2-core AVX2 machine; this: see docs/performance.md). Used only where <see cref="MatchesLibswscale"/> found the installed libswscale giving the
/// same bytes on a probe image; otherwise the encoder keeps libswscale.
/// </summary>
/// <remarks>
/// libswscale's arithmetic, measured against it on every 24-bit colour (<c>Bgr24ToYuv420Tests</c>): BT.601 limited
/// range, fixed coefficients (its default table); the first two and the last rows of a frame (the last two when the
/// height is even) are converted by its C code — Y = ((ry·r + gy·g + by·b) ≫ 15) + 16, chroma from the top-left
/// pixel of each 2×2 block — and the rows between by its MMX code — each product pair shifted ≫ 8, their sum ≫ 7,
/// plus 16; chroma from the 2×2 block averaged with rounding-up byte averages (vertically, then horizontally).
/// </remarks>
internal static unsafe partial class Bgr24ToYuv420
{
    // libswscale's default BGR → YUV table (BT.601, limited range), RGB2YUV_SHIFT = 15.
    private const int By = 3208, Gy = 16519, Ry = 8414, Bu = 14392, Gu = -9528, Ru = -4865, Bv = -2332, Gv = -12061, Rv = 14392;

    private static readonly Lazy<bool> s_matches = new(Probe);

    /// <summary>Frames encoders converted with this class, over the process (tests).</summary>
    internal static long Frames;

    /// <summary>Encoders opened while this is set keep libswscale (tests compare the two).</summary>
    internal static volatile bool ForceLibswscale;

    /// <summary>True when this machine has AVX2 and the installed libswscale converts a probe image to exactly these bytes.</summary>
    public static bool MatchesLibswscale => s_matches.Value;

    /// <summary>Converts <paramref name="width"/> (even) × <paramref name="height"/> packed BGR24 rows into the three planes.</summary>
    public static void Convert(byte* src, int srcStride, byte* y, int yStride, byte* u, byte* v, int uvStride, int width, int height) =>
        Convert(src, srcStride, y, yStride, u, v, uvStride, width, height, 0, height);

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) (first even) of a frame <paramref name="height"/> rows
    /// high, each converted as the whole frame's conversion converts it; the pointers address the frame's row 0 (row r
    /// of <paramref name="src"/> is at src + r · srcStride), and only the rows asked for are read or written.
    /// </summary>
    public static void Convert(byte* src, int srcStride, byte* y, int yStride, byte* u, byte* v, int uvStride, int width, int height, int first, int end)
    {
        if ((width & 1) != 0) throw new ArgumentException("the width must be even", nameof(width));
        if ((first & 1) != 0 || first < 0 || end > height) throw new ArgumentOutOfRangeException(nameof(first), "rows [first, end) must start on an even row, within the frame");
        // The rows libswscale's MMX loop covers: [2, simdEnd); the others go through its C code.
        int simdEnd = height > 4 ? 2 + 2 * ((height - 4 + 1) / 2) : 2;
        for (int row = first; row < end; row += 2)
        {
            byte* s0 = src + (long)row * srcStride, s1 = s0 + srcStride;
            byte* y0 = y + (long)row * yStride, y1 = y0 + yStride;
            byte* cu = u + (long)(row / 2) * uvStride, cv = v + (long)(row / 2) * uvStride;
            if (row + 3 < end) SourcePrefetch.Bytes(s1 + srcStride, 2L * srcStride); // the next pair (SourcePrefetch's remarks)
            if (row >= 2 && row < simdEnd)
            {
                MmxRows(s0, s1, y0, y1, cu, cv, width);
            }
            else
            {
                CLuma(s0, y0, width);
                if (row + 1 < end) CLuma(s1, y1, width);
                for (int i = 0; i < width / 2; i++)
                {
                    int b = s0[6 * i], g = s0[6 * i + 1], r = s0[6 * i + 2];
                    cu[i] = (byte)(((Ru * r + Gu * g + Bu * b) >> 15) + 128);
                    cv[i] = (byte)(((Rv * r + Gv * g + Bv * b) >> 15) + 128);
                }
            }
        }
    }

    private static void CLuma(byte* s, byte* y, int width)
    {
        for (int x = 0; x < width; x++) y[x] = (byte)(((Ry * s[3 * x + 2] + Gy * s[3 * x + 1] + By * s[3 * x]) >> 15) + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Mmx(int b, int g, int r, int cb, int cg, int cr) => (((b * cb + g * cg) >> 8) + ((r * cr) >> 8)) >> 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Avg(int a, int b) => (a + b + 1) >> 1;

    // Per lane (4 pixels in bytes 0..11): words b,g pairs for pmaddwd, and r with a zero beside it.
    private static readonly Vector256<byte> s_bg = Vector256.Create((byte)0, 0x80, 1, 0x80, 3, 0x80, 4, 0x80, 6, 0x80, 7, 0x80, 9, 0x80, 10, 0x80,
                                                                    0, 0x80, 1, 0x80, 3, 0x80, 4, 0x80, 6, 0x80, 7, 0x80, 9, 0x80, 10, 0x80);
    private static readonly Vector256<byte> s_r = Vector256.Create((byte)2, 0x80, 0x80, 0x80, 5, 0x80, 0x80, 0x80, 8, 0x80, 0x80, 0x80, 11, 0x80, 0x80, 0x80,
                                                                   2, 0x80, 0x80, 0x80, 5, 0x80, 0x80, 0x80, 8, 0x80, 0x80, 0x80, 11, 0x80, 0x80, 0x80);
    private static readonly Vector256<byte> s_even = Vector256.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                                                      0, 2, 4, 6, 8, 10, 12, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
    private static readonly Vector256<int> s_order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);

    // 8 pixels from p: pixels 0..3 in the low lane's bytes 0..11, 4..7 in the high lane's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Pixels8(byte* p) => Vector256.Create(Vector128.Load(p), Vector128.Load(p + 12));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<short> Bg, Vector256<short> R) Words(Vector256<byte> px) => (Avx2.Shuffle(px, s_bg).AsInt16(), Avx2.Shuffle(px, s_r).AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<short> bgWords, Vector256<short> rWords, Vector256<short> bg, Vector256<short> r) =>
        Avx2.ShiftRightArithmetic(
            Avx2.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(bgWords, bg), 8) + Avx2.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(rWords, r), 8), 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<byte> px, Vector256<short> bg, Vector256<short> r)
    {
        var (bgWords, rWords) = Words(px);
        return Dot(bgWords, rWords, bg, r);
    }

    // 32 results (each in 0..255) in pixel order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Pack(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d, Vector256<int> offset)
    {
        var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(a + offset, b + offset), Avx2.PackSignedSaturate(c + offset, d + offset));
        return Avx2.PermuteVar8x32(bytes.AsInt32(), s_order).AsByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Pair(int first, int second) => Vector256.Create((first & 0xFFFF) | (second << 16)).AsInt16();

    // 32 pixels are read as four groups of two 16-byte loads 12 bytes apart: 100 bytes for 96 (so the vector loop stops 2 pixels early).
    private static int SimdPixels(int width) => width >= 34 ? (width - 2) / 32 * 32 : 0;

    // Two rows of libswscale's MMX loop: their luma, and the chroma of their 2×2 blocks; each pixel group loaded once.
    private static void MmxRows(byte* s0, byte* s1, byte* y0, byte* y1, byte* u, byte* v, int width)
    {
        int x = Wide ? MmxRows64(s0, s1, y0, y1, u, v, width) : 0;
        if (Avx2.IsSupported)
        {
            var bgY = Pair(By, Gy);
            var rY = Pair(Ry, 0);
            var bgU = Pair(Bu, Gu);
            var rU = Pair(Ru, 0);
            var bgV = Pair(Bv, Gv);
            var rV = Pair(Rv, 0);
            var sixteen = Vector256.Create(16);
            var half = Vector256.Create(128);
            for (int end = x + SimdPixels(width - x); x < end; x += 32)
            {
                byte* p0 = s0 + 3 * x, p1 = s1 + 3 * x;
                Vector256<byte> a0 = Pixels8(p0), a1 = Pixels8(p0 + 24), a2 = Pixels8(p0 + 48), a3 = Pixels8(p0 + 72);
                Vector256<byte> b0 = Pixels8(p1), b1 = Pixels8(p1 + 24), b2 = Pixels8(p1 + 48), b3 = Pixels8(p1 + 72);
                Pack(Dot(a0, bgY, rY), Dot(a1, bgY, rY), Dot(a2, bgY, rY), Dot(a3, bgY, rY), sixteen).Store(y0 + x);
                Pack(Dot(b0, bgY, rY), Dot(b1, bgY, rY), Dot(b2, bgY, rY), Dot(b3, bgY, rY), sixteen).Store(y1 + x);
                // Each pixel's bytes averaged with the row below, then with the next pixel's (libswscale's pavgb order);
                // the even pixels (the ones used) have their neighbour in the same lane.
                var (bg0, r0) = Words(Averaged(a0, b0));
                var (bg1, r1) = Words(Averaged(a1, b1));
                var (bg2, r2) = Words(Averaged(a2, b2));
                var (bg3, r3) = Words(Averaged(a3, b3));
                StoreEven(Pack(Dot(bg0, r0, bgU, rU), Dot(bg1, r1, bgU, rU), Dot(bg2, r2, bgU, rU), Dot(bg3, r3, bgU, rU), half), u + x / 2);
                StoreEven(Pack(Dot(bg0, r0, bgV, rV), Dot(bg1, r1, bgV, rV), Dot(bg2, r2, bgV, rV), Dot(bg3, r3, bgV, rV), half), v + x / 2);
            }
        }
        for (int i = x; i < width; i++)
        {
            y0[i] = (byte)(Mmx(s0[3 * i], s0[3 * i + 1], s0[3 * i + 2], By, Gy, Ry) + 16);
            y1[i] = (byte)(Mmx(s1[3 * i], s1[3 * i + 1], s1[3 * i + 2], By, Gy, Ry) + 16);
        }
        for (; x < width; x += 2)
        {
            int p = 3 * x;
            int b = Avg(Avg(s0[p], s1[p]), Avg(s0[p + 3], s1[p + 3]));
            int g = Avg(Avg(s0[p + 1], s1[p + 1]), Avg(s0[p + 4], s1[p + 4]));
            int r = Avg(Avg(s0[p + 2], s1[p + 2]), Avg(s0[p + 5], s1[p + 5]));
            u[x / 2] = (byte)(Mmx(b, g, r, Bu, Gu, Ru) + 128);
            v[x / 2] = (byte)(Mmx(b, g, r, Bv, Gv, Rv) + 128);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Averaged(Vector256<byte> row0, Vector256<byte> row1)
    {
        var vertical = Avx2.Average(row0, row1);
        return Avx2.Average(vertical, Avx2.AlignRight(vertical, vertical, 3)); // each byte with the next pixel's, within the lane
    }

    // The even pixels' 16 bytes of 32.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreEven(Vector256<byte> values, byte* dst) =>
        Avx2.Permute4x64(Avx2.Shuffle(values, s_even).AsUInt64(), 0b_11_01_10_00).AsByte().GetLower().Store(dst);

    // Converts a probe image both ways: every row kind (C and MMX rows), the vector loop and its tail.
    private static bool Probe()
    {
        if (!Avx2.IsSupported || !LibAv.IsAvailable) return false;
        const int w = 96, h = 10;
        var rng = new Random(13);
        var bgr = new byte[w * h * 3];
        rng.NextBytes(bgr);
        for (int i = 0; i < 3 * w; i++) bgr[i] = (byte)(i % 6 < 3 ? 255 : 0); // extremes in the first row
        var ours = new byte[w * h * 3 / 2];
        var theirs = new byte[ours.Length];
        void* sws = LibAv.sws_getContext(w, h, LibAv.PixBgr24, w, h, LibAv.PixYuv420P, LibAv.SwsBicubic, null, null, null);
        if (sws == null) return false;
        try
        {
            fixed (byte* s = bgr, a = ours, b = theirs)
            {
                Convert(s, 3 * w, a, w, a + w * h, a + w * h + w * h / 4, w / 2, w, h);
                byte* src = s;
                int srcStride = 3 * w;
                byte** planes = stackalloc byte*[4] { b, b + w * h, b + w * h + w * h / 4, null };
                int* strides = stackalloc int[4] { w, w / 2, w / 2, 0 };
                LibAv.sws_scale(sws, &src, &srcStride, 0, h, planes, strides);
            }
        }
        finally { LibAv.sws_freeContext(sws); }
        return ours.AsSpan().SequenceEqual(theirs);
    }
}
