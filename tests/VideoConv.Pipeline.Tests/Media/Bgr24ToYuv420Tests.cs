using System.Runtime.Intrinsics.X86;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>Our BGR24 → yuv420p against the installed libswscale's own conversion (the encoder's, in BGR mode): the same bytes.</summary>
public unsafe class Bgr24ToYuv420Tests
{
    [RequiresLibAvTheory]
    [InlineData(true), InlineData(false)]
    public void EveryColour_SameBytesAsLibswscale(bool wide)
    {
        using var tier = new Tier(wide);
        // 4096 × 4096 pixels: each of the 2^24 colours once, in order (so every colour is a 2×2 block's top-left pixel in
        // some row pair too), then the same colours shuffled (other neighbours for the averaged chroma).
        const int w = 4096, h = 4096;
        var bgr = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) (bgr[3 * i], bgr[3 * i + 1], bgr[3 * i + 2]) = ((byte)i, (byte)(i >> 8), (byte)(i >> 16));
        AssertSameAsLibswscale(bgr, w, h);
        for (int i = 0; i < w * h; i++)
        {
            uint k = (uint)i * 2654435761u & 0xFFFFFF;
            (bgr[3 * i], bgr[3 * i + 1], bgr[3 * i + 2]) = ((byte)k, (byte)(k >> 8), (byte)(k >> 16));
        }
        AssertSameAsLibswscale(bgr, w, h);
    }

    [RequiresLibAvTheory]
    [InlineData(1920, 1080), InlineData(1920, 1081), InlineData(1282, 722), InlineData(322, 241), InlineData(50, 7), InlineData(16, 5), InlineData(8, 4), InlineData(2, 2), InlineData(64, 3),
     InlineData(70, 4), InlineData(134, 6), InlineData(198, 4), InlineData(1280, 720), InlineData(64, 4), InlineData(128, 6), InlineData(192, 4)]
    public void RandomFrames_SameBytesAsLibswscale(int w, int h)
    {
        foreach (bool wide in new[] { true, false })
        {
            using var tier = new Tier(wide);
            RandomFrame(w, h);
        }
    }

    private static void RandomFrame(int w, int h)
    {
        var bgr = new byte[w * h * 3];
        new Random(w * 31 + h).NextBytes(bgr);
        AssertSameAsLibswscale(bgr, w, h);
    }

    [RequiresLibAvFact]
    public void ThisMachine_UsesItWhereLibswscaleAgrees()
    {
        // The encoder takes our conversion only where the probe found libswscale's bytes; on an AVX2 machine with
        // Debian's FFmpeg 5.1 it does (the exhaustive test above is what guarantees the bytes).
        Assert.Equal(Avx2.IsSupported, Bgr24ToYuv420.MatchesLibswscale);
    }

    [RequiresLibAvFact]
    public void BgrModeMpeg4Sink_ConvertsWithIt_FramesAsWithLibswscale()
    {
        if (!Bgr24ToYuv420.MatchesLibswscale) return; // no AVX2: the encoder keeps libswscale (ThisMachine_UsesItWhereLibswscaleAgrees says so)
        using var dir = new TempDir();
        var format = new Core.Imaging.ImageFormat(320, 240, 3);
        using var pool = new FramePool(format);
        var rng = new Random(5);
        var frames = Enumerable.Range(0, 8).Select(_ => { var f = pool.Rent(); rng.NextBytes(f.Image.Data); return f; }).ToList();
        long before = Interlocked.Read(ref Bgr24ToYuv420.Frames);
        string ours = dir.File("ours.mp4"), theirs = dir.File("libswscale.mp4");
        Write(new Sinks.LibAvFileSink(ours, "mp4v", overwrite: false), format, frames);
        Assert.True(Interlocked.Read(ref Bgr24ToYuv420.Frames) - before >= 8);
        Bgr24ToYuv420.ForceLibswscale = true;
        try { Write(new Sinks.LibAvFileSink(theirs, "mp4v", overwrite: false), format, frames); }
        finally { Bgr24ToYuv420.ForceLibswscale = false; }
        foreach (var f in frames) f.Dispose();
        var a = TestMedia.DecodeWithFfmpegCommand(ours, 320, 240);
        var b = TestMedia.DecodeWithFfmpegCommand(theirs, 320, 240);
        Assert.Equal(8, a.Count);
        Assert.Equal(8, b.Count);
        for (int i = 0; i < 8; i++) Assert.Equal(0, TestMedia.CountDifferent(a[i], b[i]));
        foreach (var m in a.Concat(b)) m.Dispose();
    }

    /// <summary>The 512-bit loop allowed or not (where AVX-512BW is; elsewhere both runs take the 256-bit loop).</summary>
    private sealed class Tier : IDisposable
    {
        public Tier(bool wide) => Bgr24ToYuv420.AllowWide = wide;
        public void Dispose() => Bgr24ToYuv420.AllowWide = true;
    }

    private static void Write(Sinks.IFrameSink sink, Core.Imaging.ImageFormat format, List<Frame> frames)
    {
        using (sink)
        {
            sink.Open(format, 30);
            foreach (var f in frames) sink.Write(f);
            sink.Complete();
        }
    }

    private static void AssertSameAsLibswscale(byte[] bgr, int w, int h)
    {
        int cw = w / 2, ch = (h + 1) / 2;
        var ours = new byte[w * h + 2 * cw * ch];
        var theirs = new byte[ours.Length];
        void* sws = LibAv.sws_getContext(w, h, LibAv.PixBgr24, w, h, LibAv.PixYuv420P, LibAv.SwsBicubic, null, null, null);
        Assert.True(sws != null);
        try
        {
            fixed (byte* s = bgr, a = ours, b = theirs)
            {
                Bgr24ToYuv420.Convert(s, 3 * w, a, w, a + w * h, a + w * h + cw * ch, cw, w, h);
                byte* src = s;
                int srcStride = 3 * w;
                byte** planes = stackalloc byte*[4] { b, b + w * h, b + w * h + cw * ch, null };
                int* strides = stackalloc int[4] { w, cw, cw, 0 };
                LibAv.sws_scale(sws, &src, &srcStride, 0, h, planes, strides);
            }
        }
        finally { LibAv.sws_freeContext(sws); }
        int first = ours.AsSpan().CommonPrefixLength(theirs);
        Assert.True(first == ours.Length, $"{w}x{h}: first difference at byte {first} (plane {(first < w * h ? "Y" : first < w * h + cw * ch ? "U" : "V")}): ours {(first < ours.Length ? ours[first] : 0)}, libswscale {(first < ours.Length ? theirs[first] : 0)}");
    }
}
