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
    private readonly string? _path;   // a regular file (not a camera): its size explains open failures
    private long _read;

    private VideoCaptureSource(string what, Func<VideoCapture> open, string? path = null)
    {
        _what = what;
        _open = open;
        _path = path;
    }

    public static VideoCaptureSource ForFile(string path) =>
        new($"file '{path}'", () => new VideoCapture(path, VideoCaptureAPIs.FFMPEG), path);

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
            throw new InvalidOperationException(_path is not null && IsEmptyRegularFile(_path)
                ? $"cannot open {_what}: it is empty (0 bytes)"
                : $"cannot open {_what}: not a video OpenCV's FFmpeg can read (unknown format, or an incomplete or damaged file)");
        double fps = _capture.Get(VideoCaptureProperties.Fps);
        Fps = double.IsFinite(fps) && fps > 0 && fps < 1000 ? fps : 0;
        double count = _capture.Get(VideoCaptureProperties.FrameCount);
        TotalFrames = count > 0 && double.IsFinite(count) ? (long)count : null;
        // Refuse frames that cannot fit before the decoder allocates one (the container's header says).
        double w = _capture.Get(VideoCaptureProperties.FrameWidth), h = _capture.Get(VideoCaptureProperties.FrameHeight);
        if (w * h * 4 > VideoConv.Core.Imaging.Image.MaxBytes)
            throw new InvalidOperationException($"{_what} has {w}x{h} frames, over the {VideoConv.Core.Imaging.Image.MaxBytes >> 20} MiB frame limit");
        // The pools hold up to ~16 frames with the default queues (source and filter pools, PoolingTests' bound).
        double need = w * h * 4 * 16, available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && need > available)
            throw new InvalidOperationException($"{_what} has {w}x{h} frames; the pipeline's frame pools would need about {need / (1 << 30):0.#} GiB, more than the {available / (1 << 30):0.#} GiB this process may use");
        // The first frame gives the real size and channel count (properties can be missing for streams).
        _first = new Mat();
        if (!_capture.Read(_first) || _first.Empty())
            throw new InvalidOperationException(TotalFrames is > 0
                ? $"{_what} has a {Codec(_capture)} video stream that OpenCV's FFmpeg cannot decode"
                : $"{_what} has no video frames");
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
            CheckEndIsDeclaredEnd();
            return false;
        }
        if (!frame.SharesImage)
            throw new InvalidOperationException($"{_what} changed frame size mid-stream (now {frame.Mat.Width}x{frame.Mat.Height}x{frame.Mat.Channels()}, was {Format})");
        _read++;
        return true;
    }

    /// <summary>Frames short of the container's count before a read is called a break (the count is estimated from duration × rate for some containers).</summary>
    public static long BreakTolerance(long declared) => Math.Max(2, declared / 100);

    // VideoCapture.Read returns false both at the end and at a truncation: a file that ends well short of
    // the frame count its container declares broke. FIFOs and cameras declare none, so they just end.
    private void CheckEndIsDeclaredEnd()
    {
        if (_path is null || TotalFrames is not { } declared || _read >= declared - BreakTolerance(declared)) return;
        throw SourceBrokeException.DeclaredMore(_what, _read, declared);
    }

    private static bool IsEmptyRegularFile(string path)
    {
        try { return new FileInfo(path) is { Exists: true, Length: 0 }; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    // The stream's FourCC as text ("av01", "hevc"), or "an unknown" codec.
    private static string Codec(VideoCapture capture)
    {
        int code = (int)capture.Get(VideoCaptureProperties.FourCC);
        var chars = new char[4];
        for (int i = 0; i < 4; i++) chars[i] = (char)((code >> (8 * i)) & 0xFF);
        return code != 0 && chars.All(c => c is >= ' ' and <= '~') ? $"'{new string(chars).Trim()}'" : "an unknown";
    }

    public void Dispose()
    {
        _first?.Dispose();
        _capture?.Dispose();
    }
}
