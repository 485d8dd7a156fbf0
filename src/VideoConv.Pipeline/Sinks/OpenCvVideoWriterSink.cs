using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Files;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> — encodes with OpenCV's <see cref="VideoWriter"/> into a hidden temporary file beside
/// the destination and moves it into place only when finalized, so a failed run never leaves a corrupt
/// file at the destination. Encoder size is fixed by the first frame.
/// </summary>
/// <remarks>
/// <see cref="VideoWriter"/> reports no write errors (a full disk gave a 12-frame file, exit 0 and
/// "300 frames"), so the finished file is read back before it is moved into place: it must hold every frame
/// written, or the run fails ("FILE: no space left on device" when the folder has no room) and nothing
/// appears. Reading back costs a decode of the file; this writer is only the fallback where the system FFmpeg
/// is missing, or asked for with <c>encoder: opencv</c>.
/// </remarks>
internal sealed class OpenCvVideoWriterSink(string path, string fourcc, bool overwrite) : IFrameSink
{
    /// <summary>Rate written into the file when the source does not know its own.</summary>
    public const double FallbackFps = 30;

    private VideoWriter? _writer;
    private Mat? _scratch;       // BGRA → BGR conversion buffer, reused
    private string? _temp;
    private ImageFormat _format;

    public string Name => $"sink file {path}";
    public bool AcceptsFormatChange => false;
    public long FramesWritten { get; private set; }

    /// <summary>False for odd sizes: OpenCV's writer rounds them down (637×357 became 636×356, exit 0), so they are refused.</summary>
    public static bool KeepsSize(ImageFormat format) => format.Width % 2 == 0 && format.Height % 2 == 0;

    /// <summary>The refusal of an odd size, naming it and the constraint.</summary>
    public static string OddSizeRefusal(ImageFormat format, string path) =>
        $"frames are {format.Width}x{format.Height}, and OpenCV's writer (used for '{path}' here) crops odd sizes to {format.Width & ~1}x{format.Height & ~1}; " +
        "refusing rather than cropping: use the default encoder (the FFmpeg libraries keep odd sizes in FFV1, VP9 and MPEG-4) or an even size";

    public void Open(ImageFormat format, double fps)
    {
        if (!KeepsSize(format)) throw new InvalidOperationException(OddSizeRefusal(format, path));
        if (format.Channels == 2)
            throw new InvalidOperationException($"cannot encode 2-channel frames ({format}) to '{path}'; end the chain with 1, 3 or 4 channels");
        _format = format;
        _temp = PartialFiles.Create(path);
        bool color = format.Channels != 1;
        _writer = new VideoWriter(_temp, FourCC.FromString(fourcc), fps > 0 ? fps : FallbackFps, new Size(format.Width, format.Height), color);
        if (!_writer.IsOpened())
            throw new InvalidOperationException($"OpenCV could not open the {fourcc} encoder for '{path}' at {format.Width}x{format.Height} (is the codec allowed in a {Path.GetExtension(path)} container?)");
        if (format.Channels == 4) _scratch = new Mat(format.Height, format.Width, MatType.CV_8UC3);
    }

    public void Write(Frame frame)
    {
        var writer = _writer ?? throw new InvalidOperationException("sink not opened");
        if (frame.Format != _format)
            throw new InvalidOperationException($"frame format changed from {_format} to {frame.Format}; a video file's size is fixed");
        if (_scratch is { } bgr)
        {
            Cv2.CvtColor(frame.Mat, bgr, ColorConversionCodes.BGRA2BGR);
            writer.Write(bgr);
        }
        else writer.Write(frame.Mat);
        FramesWritten++;
    }

    public void Complete()
    {
        if (_writer is null || _temp is null) return;   // no frame arrived: nothing to write
        _writer.Release();
        _writer.Dispose();
        _writer = null;
        long found = CountFrames(_temp);
        if (found != FramesWritten)
        {
            var error = DiskErrors.WriteFailed(path, $"OpenCV's writer kept {found} of the {FramesWritten} frames written (the file is incomplete)");
            Abort();
            throw error;
        }
        PartialFiles.Commit(_temp, path, overwrite);
        _temp = null;
    }

    private static long CountFrames(string file)
    {
        using var capture = new VideoCapture(file);
        if (!capture.IsOpened()) return 0;
        long n = 0;
        while (capture.Grab()) n++;
        return n;
    }

    public void Abort()
    {
        _writer?.Dispose();
        _writer = null;
        PartialFiles.Discard(_temp);
        _temp = null;
    }

    public void Dispose()
    {
        Abort();
        _scratch?.Dispose();
    }
}
