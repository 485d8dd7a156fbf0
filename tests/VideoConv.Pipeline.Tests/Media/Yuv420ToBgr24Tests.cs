using System.Runtime.Intrinsics.X86;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>Our yuv420p → BGR24 against the installed libswscale's own conversion (a BGR-mode file source's): the same bytes.</summary>
public unsafe class Yuv420ToBgr24Tests
{
    // sws_getCoefficients' matrices: BT.709, FCC, BT.601, SMPTE 240M, BT.2020.
    public static TheoryData<int, bool> Matrices => new() { { 5, false }, { 5, true }, { 1, false }, { 1, true }, { 4, false }, { 7, false }, { 9, false }, { 9, true } };

    [RequiresLibAvTheory]
    [MemberData(nameof(Matrices))]
    public void EveryTriple_SameBytesAsLibswscale(int matrix, bool fullRange)
    {
        // 2048 × 8192 pixels: each of the 65536 (U, V) pairs is the chroma of 64 blocks of 2 × 2 pixels, whose 256
        // luma samples are 0..255 — every (Y, U, V) triple once.
        const int w = 2048, h = 8192, cw = w / 2;
        var planes = new byte[w * h + 2 * cw * (h / 2)];
        int uAt = w * h, vAt = uAt + cw * (h / 2);
        for (int k = 0; k < cw * (h / 2); k++)
        {
            int cx = k % cw, cy = k / cw, pair = k >> 6, luma = 4 * (k & 63);
            (planes[uAt + k], planes[vAt + k]) = ((byte)pair, (byte)(pair >> 8));
            int at = 2 * cy * w + 2 * cx;
            (planes[at], planes[at + 1], planes[at + w], planes[at + w + 1]) = ((byte)luma, (byte)(luma + 1), (byte)(luma + 2), (byte)(luma + 3));
        }
        foreach (bool wide in new[] { true, false })
        {
            Yuv420ToBgr24.AllowWide = wide;
            try { AssertSameAsLibswscale(planes, w, h, matrix, fullRange); }
            finally { Yuv420ToBgr24.AllowWide = true; }
        }
    }

    [RequiresLibAvTheory]
    [InlineData(1920, 1080), InlineData(1280, 720), InlineData(1282, 722), InlineData(322, 240), InlineData(328, 240), InlineData(330, 4), InlineData(1080, 16), InlineData(64, 2), InlineData(100, 4), InlineData(130, 2),
     InlineData(50, 8), InlineData(16, 4), InlineData(40, 2), InlineData(2, 2)]
    public void RandomFrames_SameBytesAsLibswscaleWhereItWrites(int w, int h)
    {
        // Widths off libswscale's 16-pixel step too (1080: portrait 1080p): there it writes past rows or skips columns.
        var planes = new byte[w * h + 2 * ((w + 1) / 2) * (h / 2)];
        new Random(w * 31 + h).NextBytes(planes);
        foreach (bool wide in new[] { true, false })
        {
            Yuv420ToBgr24.AllowWide = wide; // the 512-bit loop where AVX-512BW is, then the 256-bit one
            try { AssertSameAsLibswscale(planes, w, h, 5, fullRange: false); }
            finally { Yuv420ToBgr24.AllowWide = true; }
        }
    }

    [RequiresLibAvTheory]
    [InlineData(328, 8, true), InlineData(330, 6, true), InlineData(1080, 4, true), InlineData(318, 178, true), InlineData(322, 4, false), InlineData(320, 4, true)]
    public void Converter_WidthsOffLibswscalesStep_WritesNothingPastTheFrame(int w, int h, bool libswscaleWritesEveryColumn)
    {
        // libswscale alone writes 6–24 bytes past the last row at 318, 328, 330 and 1080 wide, and skips the last 2 columns
        // at 322; the converter, ours or libswscale's through its padded scratch, writes the frame and nothing past it.
        var planes = new byte[w * h + 2 * ((w + 1) / 2) * (h / 2)];
        new Random(w + h).NextBytes(planes);
        var ours = ConvertGuarded(planes, w, h);
        Yuv420ToBgr24.ForceLibswscale = true;
        byte[] theirs;
        try { theirs = ConvertGuarded(planes, w, h); }
        finally { Yuv420ToBgr24.ForceLibswscale = false; }
        if (libswscaleWritesEveryColumn) Assert.Equal(theirs, ours);
    }

    // The converter's frame, after checking the 64 bytes past it are untouched.
    private static byte[] ConvertGuarded(byte[] planes, int w, int h)
    {
        int cw = (w + 1) / 2;
        using var converter = new BgrConverter(w, h, LibAv.PixYuv420P, null, "test");
        Assert.Equal(Avx2.IsSupported && !Yuv420ToBgr24.ForceLibswscale, converter.Own is not null);
        var dst = new byte[w * h * 3 + 64];
        Array.Fill(dst, (byte)0xEE);
        fixed (byte* p = planes, d = dst)
        {
            byte** data = stackalloc byte*[4] { p, p + w * h, p + w * h + cw * (h / 2), null };
            int* linesize = stackalloc int[4] { w, cw, cw, 0 };
            converter.Convert(data, linesize, d, 3 * w);
        }
        Assert.All(dst[(w * h * 3)..], b => Assert.Equal(0xEE, b));
        return dst[..(w * h * 3)];
    }

    [Fact]
    public void Pixel_NeutralBt601_KnownColours()
    {
        // Limited-range BT.601: black, white, and the 75 % bars' red and blue (what testsrc2 draws), as libswscale gives them.
        var c = Yuv420ToBgr24.Coefficients.Of([104597, 132201, 25675, 53279], fullRange: false, 0, 1 << 16, 1 << 16);
        Assert.Equal(((byte)0, (byte)0, (byte)0), Yuv420ToBgr24.Pixel(c, 16, 128, 128));
        Assert.Equal(((byte)255, (byte)255, (byte)255), Yuv420ToBgr24.Pixel(c, 235, 128, 128));
        var (b, g, r) = Yuv420ToBgr24.Pixel(c, 81, 90, 240); // BT.601 red
        Assert.True(r >= 253 && g <= 2 && b <= 2, $"red came out {b},{g},{r}");
        (b, g, r) = Yuv420ToBgr24.Pixel(c, 41, 240, 110); // BT.601 blue
        Assert.True(b >= 253 && g <= 2 && r <= 2, $"blue came out {b},{g},{r}");
    }

    [RequiresLibAvFact]
    public void ThisMachine_BgrFileSourceUsesIt_FramesAsWithLibswscale()
    {
        // A real H.264 file decoded in BGR mode: with AVX2 the source takes our conversion (the probe agreed), and its
        // frames are the bytes libswscale gives for the same file.
        using var dir = new TempDir();
        string clip = TestMedia.MakeClip(dir, 320, 240, 6);
        long before = Interlocked.Read(ref Yuv420ToBgr24.Frames);
        var ours = Decode(clip);
        Assert.Equal(Avx2.IsSupported ? 6 : 0, Interlocked.Read(ref Yuv420ToBgr24.Frames) - before);
        Yuv420ToBgr24.ForceLibswscale = true;
        List<byte[]> theirs;
        try { theirs = Decode(clip); }
        finally { Yuv420ToBgr24.ForceLibswscale = false; }
        Assert.Equal(6, ours.Count);
        Assert.Equal(6, theirs.Count);
        for (int i = 0; i < 6; i++) Assert.True(ours[i].AsSpan().SequenceEqual(theirs[i]), $"frame {i} differs");
    }

    private static List<byte[]> Decode(string path)
    {
        var frames = new List<byte[]>();
        using var source = new LibAvFileSource(new FileSourceSpec(path));
        source.Open(CancellationToken.None);
        Assert.Equal("libav", source.Decoder);
        using var pool = new Frames.FramePool(source.Format);
        while (true)
        {
            using var frame = pool.Rent();
            if (!source.Read(frame, CancellationToken.None)) break;
            frames.Add(frame.Image.Data.ToArray());
        }
        return frames;
    }

    // libswscale converted twice into slack-padded buffers of different fills (it writes past the row at some widths
    // and leaves columns unwritten at others: Yuv420ToBgr24's remarks); ours must agree wherever it wrote.
    private static void AssertSameAsLibswscale(byte[] planes, int w, int h, int matrix, bool fullRange)
    {
        int cw = (w + 1) / 2, ch = h / 2;
        var ours = new byte[w * h * 3];
        var theirs = new byte[ours.Length + 64];
        var again = new byte[ours.Length + 64];
        Array.Fill(again, (byte)0xFF);
        void* sws = LibAv.sws_getContext(w, h, LibAv.PixYuv420P, w, h, LibAv.PixBgr24, LibAv.SwsBicubic, null, null, null);
        Assert.True(sws != null);
        try
        {
            int* table = LibAv.sws_getCoefficients(matrix);
            Assert.True(LibAv.sws_setColorspaceDetails(sws, table, fullRange ? 1 : 0, table, 1, 0, 1 << 16, 1 << 16) >= 0);
            var c = Yuv420ToBgr24.Coefficients.OfContext(sws);
            Assert.NotNull(c);
            fixed (byte* p = planes, a = ours, b = theirs, b2 = again)
            {
                Yuv420ToBgr24.Convert(c.Value, p, w, p + w * h, cw, p + w * h + cw * ch, cw, a, 3 * w, w, h);
                byte** src = stackalloc byte*[4] { p, p + w * h, p + w * h + cw * ch, null };
                int* strides = stackalloc int[4] { w, cw, cw, 0 };
                int dstStride = 3 * w;
                byte* dst = b;
                LibAv.sws_scale(sws, src, strides, 0, h, &dst, &dstStride);
                dst = b2;
                LibAv.sws_scale(sws, src, strides, 0, h, &dst, &dstStride);
                int first = -1;
                for (int i = 0; i < ours.Length && first < 0; i++) if (theirs[i] == again[i] && theirs[i] != ours[i]) first = i;
                Assert.True(first < 0, $"{w}x{h}, matrix {matrix}{(fullRange ? " full" : "")}: first difference at byte {first} (pixel {first / 3}, channel {"BGR"[Math.Max(0, first) % 3]}): ours {(first >= 0 ? ours[first] : 0)}, libswscale {(first >= 0 ? theirs[first] : 0)}");
                Assert.True(Yuv420ToBgr24.AgreesWhereWritten(a, b, b2, w, h));
            }
            Assert.Equal(Avx2.IsSupported, Yuv420ToBgr24.ForContext(sws, LibAv.PixYuv420P, w, h) is not null);
        }
        finally { LibAv.sws_freeContext(sws); }
    }
}
