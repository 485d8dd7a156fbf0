using System.Globalization;
using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>display: TITLE</c> — an OpenCV highgui window with an fps/latency overlay. All highgui calls
/// (<c>ImShow</c>, <c>WaitKey</c>) happen on this sink's one dedicated thread. <c>q</c> or Esc stops the run
/// the way cancellation does. The frame is copied into a private canvas for the overlay, because the
/// same frame may be shared with other sinks.
/// </summary>
internal sealed class DisplaySink(string title, ISinkHost host) : IFrameSink
{
    private Mat? _canvas;
    private bool _opened;
    private bool _stopRequested;

    public string Name => $"sink display {title}";
    public bool AcceptsFormatChange => true;

    /// <summary>
    /// Creates the window as the run starts, then sizes it for the frames to come and shows two black frames with the
    /// overlay, all before the first real frame. Done at the first frame, this cost a 30 fps live source its first
    /// frames: starting GTK and mapping the window took 190–230 ms (720p, Xvfb), the first show at the new size
    /// 30–60 ms more in its event loop — 6–8 frames queued behind it and 1–5 of them dropped, all at the start.
    /// The window is made while the source opens, so only the sizing delays the source's first read.
    /// </summary>
    public void Prepare(SinkFormat? expected)
    {
        if (!_opened)
        {
            Cv2.NamedWindow(title, WindowFlags.AutoSize);
            Cv2.MoveWindow(title, 0, 0);
            _opened = true;
        }
        if (expected?.Format is not { } f)
        {
            // GTK's first shows are slow whatever the size (the second waitKey took 20 ms, the fourth 1.1 ms): paid here,
            // while the source opens, on a small black picture.
            using var warm = new Mat(WarmUpSize.Height, WarmUpSize.Width, MatType.CV_8UC3, Scalar.Black);
            for (int i = 0; i < 4; i++) Show(warm);
            return;
        }
        if (_canvas is not null) return;   // sized already
        var canvas = _canvas = new Mat(f.Height, f.Width, MatType.CV_8UC3, Scalar.Black);
        for (int i = 0; i < 4; i++) Show(canvas);   // a new size is slow again for two shows (waitKey 23 ms, then 8)
    }

    private static readonly Size WarmUpSize = new(320, 180);

    public void Open(ImageFormat format, double fps) { if (!_opened) Prepare(null); }

    public void Write(Frame frame)
    {
        var canvas = _canvas ??= new Mat();
        var src = frame.Mat;
        switch (frame.Format.Channels)
        {
            case 1: Cv2.CvtColor(src, canvas, ColorConversionCodes.GRAY2BGR); break;
            case 3: src.CopyTo(canvas); break;
            case 4: Cv2.CvtColor(src, canvas, ColorConversionCodes.BGRA2BGR); break;
            default:
                // Two channels: show the first as grey.
                using (var first = new Mat()) { Cv2.ExtractChannel(src, first, 0); Cv2.CvtColor(first, canvas, ColorConversionCodes.GRAY2BGR); }
                break;
        }
        Show(canvas);
    }

    // The overlay, the show, and one turn of the window's event loop (where q/Esc are seen).
    private void Show(Mat canvas)
    {
        var (fps, p50, p99, dropped) = host.Figures;
        string text = string.Create(CultureInfo.InvariantCulture, $"{fps:F1} fps  latency p50 {p50:F1} ms p99 {p99:F1} ms  dropped {dropped}");
        double scale = Math.Clamp(canvas.Rows / 900.0, 0.35, 1.2);
        var origin = new Point(8, canvas.Rows - 10);
        Cv2.PutText(canvas, text, origin, HersheyFonts.HersheySimplex, scale, Scalar.Black, 3, LineTypes.AntiAlias);
        Cv2.PutText(canvas, text, origin, HersheyFonts.HersheySimplex, scale, Scalar.White, 1, LineTypes.AntiAlias);
        Cv2.ImShow(title, canvas);
        int key = Cv2.WaitKey(1) & 0xFF;
        if (!_stopRequested && (key == 'q' || key == 'Q' || key == 27))
        {
            _stopRequested = true;
            host.RequestStop();
        }
    }

    public void Complete() => Close();
    public void Abort() => Close();

    private void Close()
    {
        if (!_opened) return;
        _opened = false;
        Cv2.DestroyWindow(title);
        Cv2.WaitKey(1);   // let highgui process the destroy
    }

    public void Dispose()
    {
        Close();
        _canvas?.Dispose();
    }
}
