using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sources;

/// <summary>
/// A file (anything the bundled FFmpeg reads, a FIFO included) or a V4L2 camera through OpenCV's
/// <see cref="VideoCapture"/>. Frames are decoded straight into the pooled frame's pixels.
/// </summary>
internal sealed class VideoCaptureSource : IFrameSource
{
    private readonly Func<VideoCapture> _open;
    private readonly string _what;
    private VideoCapture? _capture;
    private Mat? _first;   // the frame read while opening, to learn the real size

    private VideoCaptureSource(string what, Func<VideoCapture> open)
    {
        _what = what;
        _open = open;
    }

    public static VideoCaptureSource ForFile(string path) =>
        new($"file '{path}'", () => new VideoCapture(path, VideoCaptureAPIs.FFMPEG));

    public static VideoCaptureSource ForCamera(int index, int? width, int? height, double? fps) =>
        new($"camera {index}", () =>
        {
            var cap = new VideoCapture(index, VideoCaptureAPIs.V4L2);
            if (!cap.IsOpened())
            {
                cap.Dispose();
                throw new InvalidOperationException($"no camera at index {index} (could not open /dev/video{index} through V4L2)");
            }
            if (width is { } w) cap.Set(VideoCaptureProperties.FrameWidth, w);
            if (height is { } h) cap.Set(VideoCaptureProperties.FrameHeight, h);
            if (fps is { } f) cap.Set(VideoCaptureProperties.Fps, f);
            return cap;
        });

    public ImageFormat Format { get; private set; }
    public double Fps { get; private set; }
    public long? TotalFrames { get; private set; }

    public void Open(CancellationToken cancellationToken)
    {
        _capture = _open();
        if (!_capture.IsOpened())
            throw new InvalidOperationException($"cannot open {_what}: OpenCV's FFmpeg could not read it");
        double fps = _capture.Get(VideoCaptureProperties.Fps);
        Fps = double.IsFinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
        double count = _capture.Get(VideoCaptureProperties.FrameCount);
        TotalFrames = count > 0 && double.IsFinite(count) ? (long)count : null;
        // The first frame gives the real size and channel count (properties can be missing for streams).
        _first = new Mat();
        if (!_capture.Read(_first) || _first.Empty())
            throw new InvalidOperationException($"{_what} has no video frames");
        if (_first.Depth() != MatType.CV_8U)
            throw new InvalidOperationException($"{_what} decodes to {_first.Type()}, not 8-bit frames");
        Format = new ImageFormat(_first.Width, _first.Height, _first.Channels());
    }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        var capture = _capture ?? throw new InvalidOperationException("source not opened");
        if (_first is { } first)
        {
            _first = null;
            using (first) first.CopyTo(frame.Mat);
        }
        else if (!capture.Read(frame.Mat) || frame.Mat.Empty())
        {
            return false;
        }
        if (!frame.SharesImage)
            throw new InvalidOperationException($"{_what} changed frame size mid-stream (now {frame.Mat.Width}x{frame.Mat.Height}x{frame.Mat.Channels()}, was {Format})");
        return true;
    }

    public void Dispose()
    {
        _first?.Dispose();
        _capture?.Dispose();
    }
}
