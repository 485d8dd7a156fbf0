using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VideoConv.Core.Convolution;
using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// yuv420p → BGR24 with the same bytes as libswscale's unscaled x86 path for that pair (what a BGR-mode file source
/// gets from <c>sws_scale</c>: <c>SWS_BICUBIC</c>, no <c>SWS_ACCURATE_RND</c>, even height), in AVX2, 32 pixels a
/// step where libswscale's SSSE3 loop does 16 — and one pass, where the source then waits on memory either way.
/// A source uses it only for a context whose conversion of a probe frame (its own size, matrix and range) gave
/// exactly these bytes (<see cref="ForContext"/>); everything else keeps libswscale.
/// </summary>
/// <remarks>
/// <para>libswscale 5.1's loop (SSSE3, 16 pixels a step) is wrong at widths off its step, measured: 328 and 330 wide
/// it writes 24 and 18 bytes past each row (past the frame's end on the last row: the BGR source's frames are exactly
/// sized, so it wrote into the next object on the heap); 322 and 1282 wide it leaves the last 2 columns unwritten (the
/// frame's old pixels stay). Where libswscale agrees with this class on what it does write, this class converts every
/// column, with the same arithmetic, and nothing past the row.</para>
/// <para>The arithmetic, in 16-bit lanes (checked against libswscale on all 2^24 (Y, U, V) triples in
/// <c>Yuv420ToBgr24Tests</c>): Y' = 8·Y − yOffset, U' = 8·U − 1024, V' = 8·V − 1024; each term the high half of a
/// signed 16 × 16 product with a coefficient (<c>pmulhw</c>); B = Y'·cy + U'·cub, G = Y'·cy + (U'·cug + V'·cvg),
/// R = Y'·cy + V'·cvr with saturating adds, then clamped to a byte. The chroma of pixel (x, y) is sample
/// (x / 2, y / 2): no interpolation. The coefficients are libswscale's, from the context's matrix, range,
/// brightness, contrast and saturation (<see cref="Coefficients.Of"/>).
/// </remarks>
internal static unsafe partial class Yuv420ToBgr24
{
    /// <summary>The six 16-bit constants of the conversion.</summary>
    public readonly record struct Coefficients(short Y, short YOffset, short Vr, short Ub, short Ug, short Vg)
    {
        /// <summary>
        /// libswscale's constants for a YUV → RGB table (<paramref name="invTable"/>: crv, cbu, cgu, cgv, 16.16),
        /// range and picture adjustments (16.16; neutral: 0, 1 &lt;&lt; 16, 1 &lt;&lt; 16).
        /// </summary>
        public static Coefficients Of(ReadOnlySpan<int> invTable, bool fullRange, int brightness, int contrast, int saturation)
        {
            long crv = invTable[0], cbu = invTable[1], cgu = -invTable[2], cgv = -invTable[3], cy = 1 << 16, oy = 0;
            if (!fullRange)
            {
                cy = cy * 255 / 219;
                oy = 16 << 16;
            }
            else
            {
                (crv, cbu, cgu, cgv) = (crv * 224 / 255, cbu * 224 / 255, cgu * 224 / 255, cgv * 224 / 255);
            }
            cy = cy * contrast >> 16;
            crv = crv * contrast * saturation >> 32;
            cbu = cbu * contrast * saturation >> 32;
            cgu = cgu * contrast * saturation >> 32;
            cgv = cgv * contrast * saturation >> 32;
            oy -= 256L * brightness;
            return new(Round(cy << 13), Round(oy << 3), Round(crv << 13), Round(cbu << 13), Round(cgu << 13), Round(cgv << 13));
        }

        // A 16.16 value to the nearest 16-bit integer, saturated (libswscale gives −0x8000 below −0x7FFF).
        private static short Round(long f)
        {
            long r = (f + (1 << 15)) >> 16;
            return r < -0x7FFF ? short.MinValue : r > 0x7FFF ? short.MaxValue : (short)r;
        }

        /// <summary>The constants <paramref name="sws"/> (a YUV → BGR context) converts with; null where it will not say.</summary>
        public static Coefficients? OfContext(void* sws)
        {
            int* inv, table;
            int srcFull, dstFull, brightness, contrast, saturation;
            if (LibAv.sws_getColorspaceDetails(sws, &inv, &srcFull, &table, &dstFull, &brightness, &contrast, &saturation) < 0) return null;
            return Of(new ReadOnlySpan<int>(inv, 4), srcFull != 0, brightness, contrast, saturation);
        }
    }

    /// <summary>Frames sources converted with this class, over the process (tests).</summary>
    internal static long Frames;

    /// <summary>Sources opened while this is set keep libswscale (tests compare the two).</summary>
    internal static volatile bool ForceLibswscale;

    /// <summary>
    /// The constants to convert <paramref name="width"/> × <paramref name="height"/> frames of pixel format
    /// <paramref name="format"/> with, where this class gives the bytes <paramref name="sws"/> (already set up with the
    /// stream's colour details) gives: it converts a probe frame of that size both ways. Null: keep libswscale.
    /// </summary>
    public static Coefficients? ForContext(void* sws, int format, int width, int height)
    {
        if (ForceLibswscale || !Avx2.IsSupported || format is not (LibAv.PixYuv420P or LibAv.PixYuvJ420P) || (height & 1) != 0 || width < 2) return null;
        if (Coefficients.OfContext(sws) is not { } c) return null;
        int cw = (width + 1) / 2, ch = height / 2;
        nuint lumaSize = (nuint)width * (nuint)height, chromaSize = (nuint)cw * (nuint)ch, bgrSize = 3 * lumaSize;
        byte* planes = (byte*)NativeMemory.AlignedAlloc(lumaSize + 2 * chromaSize, 64);
        // libswscale's SSSE3 loop converts 16 pixels a step: at widths off that step it writes up to 45 bytes past the
        // last row (328 wide: 24) or leaves the last columns unwritten (322 wide: 2) — hence the slack, and two runs.
        const int slack = 64;
        byte* ours = (byte*)NativeMemory.AlignedAlloc(bgrSize, 64);
        byte* theirs = (byte*)NativeMemory.AlignedAlloc(bgrSize + slack, 64), again = (byte*)NativeMemory.AlignedAlloc(bgrSize + slack, 64);
        try
        {
            // Random samples, with the first rows at the extremes (every pairing of 0 and 255).
            var all = new Span<byte>(planes, (int)(lumaSize + 2 * chromaSize));
            Noise(all, (ulong)width * 7919 + (ulong)height); // (System.Random took 4 ms of a 1080p run's start)
            byte* u = planes + lumaSize, v = u + chromaSize;
            for (int x = 0; x < width; x++) planes[x] = (byte)((x & 1) * 255);
            for (int x = 0; x < cw; x++) (u[x], v[x]) = ((byte)((x & 1) * 255), (byte)((x & 2) * 127));
            Convert(c, planes, width, u, cw, v, cw, ours, 3 * width, width, height);
            byte** src = stackalloc byte*[4] { planes, u, v, null };
            int* srcStride = stackalloc int[4] { width, cw, cw, 0 };
            int dstStride = 3 * width;
            NativeMemory.Fill(theirs, bgrSize, 0x00);
            NativeMemory.Fill(again, bgrSize, 0xFF);
            LibAv.sws_scale(sws, src, srcStride, 0, height, &theirs, &dstStride);
            LibAv.sws_scale(sws, src, srcStride, 0, height, &again, &dstStride);
            return AgreesWhereWritten(ours, theirs, again, width, height) ? c : null;
        }
        finally
        {
            NativeMemory.AlignedFree(planes);
            NativeMemory.AlignedFree(ours);
            NativeMemory.AlignedFree(theirs);
            NativeMemory.AlignedFree(again);
        }
    }

    // Pseudo-random bytes, 8 at a time (xorshift64*): every sample value, in every neighbourhood, for the probe.
    private static void Noise(Span<byte> bytes, ulong seed)
    {
        ulong state = seed | 1;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        for (int i = 0; i < words.Length; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            words[i] = state * 0x2545F4914F6CDD1DUL;
        }
        for (int i = words.Length * 8; i < bytes.Length; i++) bytes[i] = (byte)(words.Length > 0 ? words[i % words.Length] : seed);
    }

    /// <summary>
    /// Whether <paramref name="ours"/> has libswscale's bytes wherever libswscale wrote (the same byte in both of its
    /// runs over different fills), and libswscale left unwritten at most the last 15 columns of a row (its loop's step).
    /// There our conversion gives the pixels the same arithmetic, where libswscale would leave what the frame held.
    /// </summary>
    internal static bool AgreesWhereWritten(byte* ours, byte* theirs, byte* again, int width, int height)
    {
        int rowBytes = 3 * width, tail = 3 * Math.Min(width, 15);
        for (int row = 0; row < height; row++)
        {
            long at = (long)row * rowBytes;
            for (int i = 0; i < rowBytes; i++)
            {
                byte t = theirs[at + i];
                if (t != again[at + i]) { if (i < rowBytes - tail) return false; }
                else if (t != ours[at + i]) return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Converts yuv420p planes to packed BGR24 rows; with <paramref name="firstRow"/>, the planes' rows from that row of
    /// a frame on (<paramref name="y"/> at its row, <paramref name="u"/> and <paramref name="v"/> at its chroma row
    /// firstRow / 2), so an odd first row takes the chroma it shares with the row above.
    /// </summary>
    public static void Convert(in Coefficients c, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride, byte* dst, int dstStride, int width, int height, int firstRow = 0)
    {
        for (int row = 0; row < height; row++)
        {
            long chroma = ((firstRow + row) >> 1) - (firstRow >> 1);
            byte* py = y + (long)row * yStride, pu = u + chroma * uStride, pv = v + chroma * vStride;
            if (row + 1 < height)
            {
                // The next row's planes: a decoder's frame is not in this core's caches (SourcePrefetch's remarks).
                // Measured, 1080p into cached 48-row strips, 8 frames of planes in turn: 0.39–0.50 → 0.26–0.30 ms.
                SourcePrefetch.Bytes(py + yStride, width);
                if (((firstRow + row) & 1) == 1) // the next row starts a chroma row
                {
                    SourcePrefetch.Bytes(pu + uStride, (width + 1) / 2);
                    SourcePrefetch.Bytes(pv + vStride, (width + 1) / 2);
                }
            }
            byte* out0 = dst + (long)row * dstStride;
            int x = Wide ? Row64(c, py, pu, pv, out0, width) : 0;
            if (Avx2.IsSupported) x += Row32(c, py + x, pu + x / 2, pv + x / 2, out0 + 3 * x, width - x);
            for (; x < width; x++)
            {
                var (b, g, r) = Pixel(c, py[x], pu[x >> 1], pv[x >> 1]);
                (out0[3 * x], out0[3 * x + 1], out0[3 * x + 2]) = (b, g, r);
            }
        }
    }

    /// <summary>One pixel, as the vector loop computes it.</summary>
    public static (byte B, byte G, byte R) Pixel(in Coefficients c, int y, int u, int v)
    {
        int yw = (short)((y << 3) - c.YOffset); // psubw: wraps (it cannot for the neutral constants)
        int uw = Saturate((u << 3) - 1024), vw = Saturate((v << 3) - 1024); // psubsw
        int luma = MulHigh(yw, c.Y);
        int green = Saturate(MulHigh(uw, c.Ug) + MulHigh(vw, c.Vg));
        return (ToByte(Saturate(luma + MulHigh(uw, c.Ub))), ToByte(Saturate(luma + green)), ToByte(Saturate(luma + MulHigh(vw, c.Vr))));
    }

    private static int MulHigh(int a, int b) => (a * b) >> 16;
    private static int Saturate(int v) => Math.Clamp(v, short.MinValue, short.MaxValue);
    private static byte ToByte(int v) => (byte)Math.Clamp(v, 0, 255);

    // Lane k of the chroma bytes holds samples 8k..8k+7 twice (see Row32); these make words of the first four,
    // each twice (pixels 16k..16k+7), and of the last four (pixels 16k+8..16k+15).
    private static readonly Vector256<byte> s_chromaLow = Vector256.Create((byte)0, 0x80, 0, 0x80, 1, 0x80, 1, 0x80, 2, 0x80, 2, 0x80, 3, 0x80, 3, 0x80,
                                                                           0, 0x80, 0, 0x80, 1, 0x80, 1, 0x80, 2, 0x80, 2, 0x80, 3, 0x80, 3, 0x80);
    private static readonly Vector256<byte> s_chromaHigh = Vector256.Create((byte)4, 0x80, 4, 0x80, 5, 0x80, 5, 0x80, 6, 0x80, 6, 0x80, 7, 0x80, 7, 0x80,
                                                                            4, 0x80, 4, 0x80, 5, 0x80, 5, 0x80, 6, 0x80, 6, 0x80, 7, 0x80, 7, 0x80);

    // Interleaving 16 pixels' B, G and R bytes (one lane) into 48 bytes: three 16-byte blocks, each the OR of one
    // byte shuffle per channel. Block n's byte j is channel (16n + j) % 3 of pixel (16n + j) / 3.
    private static readonly Vector256<byte>[] s_interleave = InterleaveMasks();

    private static Vector256<byte>[] InterleaveMasks()
    {
        var masks = new Vector256<byte>[9]; // [3 * block + channel]
        var bytes = new byte[32];
        for (int block = 0; block < 3; block++)
            for (int channel = 0; channel < 3; channel++)
            {
                for (int j = 0; j < 16; j++)
                {
                    int i = 16 * block + j;
                    bytes[j] = bytes[j + 16] = i % 3 == channel ? (byte)(i / 3) : (byte)0x80;
                }
                masks[3 * block + channel] = Vector256.Create(bytes);
            }
        return masks;
    }

    // 32 pixels a step; returns the pixels done (the rest go through Pixel).
    private static int Row32(in Coefficients c, byte* py, byte* pu, byte* pv, byte* dst, int width)
    {
        var yCoeff = Vector256.Create(c.Y);
        var yOffset = Vector256.Create(c.YOffset);
        var vr = Vector256.Create(c.Vr);
        var ub = Vector256.Create(c.Ub);
        var ug = Vector256.Create(c.Ug);
        var vg = Vector256.Create(c.Vg);
        var chromaOffset = Vector256.Create((short)1024);
        var m = s_interleave;
        Vector256<byte> b0 = m[0], g0 = m[1], r0 = m[2], b1 = m[3], g1 = m[4], r1 = m[5], b2 = m[6], g2 = m[7], r2 = m[8];
        int x = 0;
        for (; x + 32 <= width; x += 32)
        {
            // Luma words: unpacking per lane puts pixels 0–7 and 16–23 in the first vector, 8–15 and 24–31 in the
            // second, the order in which the pack below puts pixels 0–15 in lane 0 and 16–31 in lane 1.
            var luma = Vector256.Load(py + x);
            var y0 = Avx2.MultiplyHigh(Avx2.ShiftLeftLogical(Avx2.UnpackLow(luma, Vector256<byte>.Zero).AsInt16(), 3) - yOffset, yCoeff);
            var y1 = Avx2.MultiplyHigh(Avx2.ShiftLeftLogical(Avx2.UnpackHigh(luma, Vector256<byte>.Zero).AsInt16(), 3) - yOffset, yCoeff);
            var (u0, u1) = Chroma(pu + x / 2, chromaOffset);
            var (v0, v1) = Chroma(pv + x / 2, chromaOffset);
            var green0 = Avx2.AddSaturate(Avx2.MultiplyHigh(u0, ug), Avx2.MultiplyHigh(v0, vg));
            var green1 = Avx2.AddSaturate(Avx2.MultiplyHigh(u1, ug), Avx2.MultiplyHigh(v1, vg));
            var blue = Avx2.PackUnsignedSaturate(Avx2.AddSaturate(y0, Avx2.MultiplyHigh(u0, ub)), Avx2.AddSaturate(y1, Avx2.MultiplyHigh(u1, ub)));
            var greenBytes = Avx2.PackUnsignedSaturate(Avx2.AddSaturate(y0, green0), Avx2.AddSaturate(y1, green1));
            var red = Avx2.PackUnsignedSaturate(Avx2.AddSaturate(y0, Avx2.MultiplyHigh(v0, vr)), Avx2.AddSaturate(y1, Avx2.MultiplyHigh(v1, vr)));
            // Blocks 0, 1, 2 (pixels 0–15) in lane 0 and 3, 4, 5 (pixels 16–31) in lane 1; stored in order.
            var a = Avx2.Shuffle(blue, b0) | Avx2.Shuffle(greenBytes, g0) | Avx2.Shuffle(red, r0);
            var b = Avx2.Shuffle(blue, b1) | Avx2.Shuffle(greenBytes, g1) | Avx2.Shuffle(red, r1);
            var d = Avx2.Shuffle(blue, b2) | Avx2.Shuffle(greenBytes, g2) | Avx2.Shuffle(red, r2);
            byte* o = dst + 3 * x;
            Avx2.Permute2x128(a, b, 0x20).Store(o);
            Avx2.Permute2x128(d, a, 0x30).Store(o + 32);
            Avx2.Permute2x128(b, d, 0x31).Store(o + 64);
        }
        return x;
    }

    // 16 chroma samples (32 pixels) as the two word vectors matching the luma's, each 8·s − 1024 (saturating, as psubsw).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<short> First, Vector256<short> Second) Chroma(byte* p, Vector256<short> offset)
    {
        var samples = Avx2.Permute4x64(Vector128.Load(p).AsUInt64().ToVector256Unsafe(), 0b_01_01_00_00).AsByte(); // lane k: samples 8k..8k+7, twice
        var first = Avx2.SubtractSaturate(Avx2.ShiftLeftLogical(Avx2.Shuffle(samples, s_chromaLow).AsInt16(), 3), offset);
        var second = Avx2.SubtractSaturate(Avx2.ShiftLeftLogical(Avx2.Shuffle(samples, s_chromaHigh).AsInt16(), 3), offset);
        return (first, second);
    }
}
