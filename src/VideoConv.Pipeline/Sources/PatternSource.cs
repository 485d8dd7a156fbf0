using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sources;

/// <summary>
/// A moving synthetic test pattern made in-process: a scrolling diagonal colour gradient, colour bars,
/// a bouncing disc, a rotating bar, a checkerboard patch and the frame number as text, so that edge and
/// blur filters have something to show. Frame <c>n</c> depends only on <c>n</c> (deterministic).
/// </summary>
internal sealed class PatternSource : IFrameSource
{
    private readonly int _frames;
    private byte[] _gradient = [];   // two periods of a BGR ramp, so any row is one contiguous slice
    private long _next;
    private static readonly Scalar[] Bars = [Scalar.White, Scalar.Yellow, Scalar.Cyan, Scalar.Lime, Scalar.Magenta, Scalar.Red, Scalar.Blue, Scalar.Black];

    public PatternSource(int width, int height, double fps, int frames)
    {
        if (width < 16 || height < 16) throw new Specs.PipelineSpecException("source", $"pattern size {width}x{height} is too small (at least 16x16)");
        if (!(fps > 0)) throw new Specs.PipelineSpecException("source", $"pattern fps must be positive, got {fps}");
        if (frames < 0) throw new Specs.PipelineSpecException("source", $"pattern frames must not be negative, got {frames}");
        Format = new ImageFormat(width, height, 3);
        Fps = fps;
        _frames = frames;
    }

    public ImageFormat Format { get; }
    public double Fps { get; }
    public long? TotalFrames => _frames;

    public void Open(CancellationToken cancellationToken)
    {
        int period = 512;
        _gradient = new byte[(Format.Width + Format.Height + 2 * period) * 3];
        for (int i = 0; i < _gradient.Length / 3; i++)
        {
            double t = (i % period) / (double)period * 2 * Math.PI;
            _gradient[3 * i + 0] = (byte)(127.5 + 100 * Math.Sin(t));
            _gradient[3 * i + 1] = (byte)(127.5 + 100 * Math.Sin(t + 2.1));
            _gradient[3 * i + 2] = (byte)(127.5 + 100 * Math.Sin(t + 4.2));
        }
    }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (_next >= _frames) return false;
        Render(frame, _next++);
        return true;
    }

    /// <summary>Draws frame <paramref name="n"/> into <paramref name="frame"/>.</summary>
    public void Render(Frame frame, long n)
    {
        if (_gradient.Length == 0) Open(CancellationToken.None);
        int w = Format.Width, h = Format.Height, rowBytes = w * 3;
        var img = frame.Image;
        int shift = (int)(n * 4 % 512);
        for (int y = 0; y < h; y++)
            _gradient.AsSpan((y / 2 + shift) * 3, rowBytes).CopyTo(img.Row(y));

        var m = frame.Mat;
        // Colour bars along the top eighth.
        var bars = Bars;
        int barH = Math.Max(2, h / 8);
        for (int i = 0; i < bars.Length; i++)
            Cv2.Rectangle(m, new Rect(i * w / bars.Length, 0, w / bars.Length + 1, barH), bars[i], -1);

        // Checkerboard patch, scrolling sideways.
        int cell = Math.Max(2, h / 24), cx0 = w / 16, cy0 = h - 6 * cell - h / 16;
        int offset = (int)(n % (2 * cell));
        for (int j = 0; j < 6; j++)
            for (int i = 0; i < 8; i++)
                if (((i + j) & 1) == 0)
                    Cv2.Rectangle(m, new Rect(cx0 + i * cell + offset, cy0 + j * cell, cell, cell), Scalar.White, -1);

        // A disc bouncing around the frame.
        int r = Math.Max(3, h / 10);
        double t = n / Fps;
        int bx = r + (int)Triangle(t * 0.37, w - 2 * r), by = barH + r + (int)Triangle(t * 0.53, h - barH - 2 * r);
        Cv2.Circle(m, new Point(bx, by), r, Scalar.Orange, -1, LineTypes.AntiAlias);
        Cv2.Circle(m, new Point(bx, by), r / 2, Scalar.Navy, Math.Max(1, r / 8), LineTypes.AntiAlias);

        // A bar rotating about the centre.
        double a = t * 1.3;
        var c = new Point(w / 2, h / 2 + barH / 2);
        int len = Math.Min(w, h) / 3;
        var d = new Point((int)(len * Math.Cos(a)), (int)(len * Math.Sin(a)));
        Cv2.Line(m, c - d, c + d, Scalar.White, Math.Max(2, h / 60), LineTypes.AntiAlias);

        double scale = Math.Max(0.4, h / 360.0);
        Cv2.PutText(m, $"VideoConv {n:D5}", new Point(w / 16, barH + (int)(40 * scale)), HersheyFonts.HersheyDuplex, scale, Scalar.Black, Math.Max(1, (int)(3 * scale)), LineTypes.AntiAlias);
        Cv2.PutText(m, $"VideoConv {n:D5}", new Point(w / 16, barH + (int)(40 * scale)), HersheyFonts.HersheyDuplex, scale, Scalar.White, Math.Max(1, (int)scale), LineTypes.AntiAlias);
    }

    // 0 → span → 0, linearly, one cycle per unit of x.
    private static double Triangle(double x, int span)
    {
        double f = x - Math.Floor(x);
        return (f < 0.5 ? f * 2 : 2 - f * 2) * Math.Max(0, span);
    }

    public void Dispose() { }
}
