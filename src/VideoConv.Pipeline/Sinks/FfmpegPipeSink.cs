using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> encoded by the system <c>ffmpeg</c> command fed raw frames on its stdin — the encoder for
/// MPEG-4 Part 2 (<c>mp4v</c>, <c>XVID</c>) and MJPEG where <c>ffmpeg</c> is installed but its libraries cannot
/// be used in-process (<see cref="LibAvFileSink"/> is preferred), and for <c>encoder: ffmpeg</c> with FFV1.
/// Writes beside the destination and moves into place when finalized.
/// </summary>
/// <remarks>
/// Chosen by measurement on the 2-core CI machine, 1080p BGR: OpenCV's <c>VideoWriter</c> (mp4v) takes
/// ≈ 20 ms a frame on the pipeline's sink thread, capping a run near 50 fps; ffmpeg's own mpeg4 encoder in
/// a separate process, with slice threads, keeps up with the filter (figures in the README's end-to-end table).
/// </remarks>
internal sealed class FfmpegPipeSink(string path, string fourcc, bool overwrite) : IFrameSink
{
    private Process? _process;
    private Stream? _stdin;
    private string? _temp;
    private ImageFormat _format;
    private readonly StringBuilder _errors = new();
    private Mat? _yuv; // I420 conversion buffer, reused

    /// <summary>Quality for MPEG-4 Part 2 (ffmpeg's <c>-q:v</c>, 2 best … 31 worst); the end-to-end bench gives the FFmpeg CLI the same.</summary>
    public const int Mpeg4Quality = 5;

    public string Name => $"sink file {path}";
    public bool AcceptsFormatChange => false;

    /// <summary>FOURCCs this sink takes by default (<c>encoder: auto</c>); FFV1 only when asked for.</summary>
    public static bool Handles(string fourcc) => fourcc is "mp4v" or "XVID" or "MJPG";

    /// <summary>The ffmpeg binary on PATH, or null.</summary>
    public static string? FindFfmpeg() => SystemTools.Find("ffmpeg");

    /// <summary>Encoder arguments for a FOURCC (same choices the bench gives the FFmpeg CLI), one word each.</summary>
    public static IReadOnlyList<string> EncoderArguments(string fourcc) => fourcc switch
    {
        "mp4v" => ["-c:v", "mpeg4", "-q:v", Mpeg4Quality.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p"],
        "XVID" => ["-c:v", "mpeg4", "-vtag", "xvid", "-q:v", Mpeg4Quality.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p"],
        "MJPG" => ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p"],
        "FFV1" => ["-c:v", "ffv1", "-level", "3"],
        _ => throw new ArgumentOutOfRangeException(nameof(fourcc), fourcc, "not an ffmpeg-pipe codec"),
    };

    public void Open(ImageFormat format, double fps)
    {
        if (format.Channels == 2)
            throw new InvalidOperationException($"cannot encode 2-channel frames ({format}) to '{path}'; end the chain with 1, 3 or 4 channels");
        var ffmpeg = FindFfmpeg() ?? throw new InvalidOperationException("ffmpeg is not installed (needed to encode this file)");
        _format = format;
        _temp = PartialFiles.Create(path);
        // 4:2:0 encoders get I420 converted here by OpenCV (SIMD, 1.7 ms per 1080p frame): half the bytes through
        // the pipe, and ffmpeg skips its own bgr24 conversion — measured 64 → 92 fps for mpeg4 alone on the CI machine.
        bool i420 = fourcc != "FFV1" && format.Channels != 1 && format.Width % 2 == 0 && format.Height % 2 == 0;
        _yuv = i420 ? new Mat() : null;
        string pixfmt = i420 ? "yuv420p" : format.Channels switch { 1 => "gray", 3 => "bgr24", _ => "bgra" };
        var ci = CultureInfo.InvariantCulture;
        string rate = (fps > 0 ? fps : OpenCvVideoWriterSink.FallbackFps).ToString("0.###", ci);
        var arguments = new List<string>
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", pixfmt, "-s", $"{format.Width}x{format.Height}", "-r", rate, "-i", "pipe:0",
        };
        arguments.AddRange(EncoderArguments(fourcc));
        // FFV1 stays lossless: it codes BGR (as bgr0) and grey natively; the others take YUV 4:2:0.
        if (fourcc == "FFV1") arguments.AddRange(["-pix_fmt", format.Channels == 1 ? "gray" : "bgr0"]);
        arguments.AddRange(["-threads", Math.Max(1, Environment.ProcessorCount).ToString(ci)]);
        // The container follows the destination's extension (the partial file keeps it); the path itself is
        // behind file: so no spelling of it is ever an option or a protocol to ffmpeg.
        arguments.Add(SystemTools.FfmpegFileArgument(_temp));
        var info = SystemTools.StartInfo(ffmpeg, arguments);
        info.RedirectStandardInput = true;
        info.RedirectStandardError = true;
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start ffmpeg");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_errors) if (_errors.Length < 4000) _errors.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
        _stdin = _process.StandardInput.BaseStream;
        PipeCapacity.TryEnlarge(_stdin);
    }

    public void Write(Frame frame)
    {
        var stdin = _stdin ?? throw new InvalidOperationException("sink not opened");
        if (frame.Format != _format)
            throw new InvalidOperationException($"frame format changed from {_format} to {frame.Format}; a video file's size is fixed");
        try
        {
            if (_yuv is { } yuv)
            {
                Cv2.CvtColor(frame.Mat, yuv, frame.Format.Channels == 3 ? ColorConversionCodes.BGR2YUV_I420 : ColorConversionCodes.BGRA2YUV_I420);
                unsafe
                {
                    stdin.Write(new ReadOnlySpan<byte>((void*)yuv.Data, (int)(yuv.Total() * yuv.ElemSize())));
                }
            }
            else stdin.Write(frame.Image.Data, 0, (int)frame.Format.TotalBytes);
        }
        catch (IOException ex)
        {
            // ffmpeg exits when its output fails; its own message says why (a full disk reads as one in VideoPipeline).
            _process?.WaitForExit(2000);
            throw new IOException($"ffmpeg stopped accepting frames for '{path}': {Errors()}", ex);
        }
    }

    public void Complete()
    {
        if (_process is null || _temp is null) return; // no frame arrived: nothing to write
        _stdin!.Dispose();
        _stdin = null;
        _process.WaitForExit();
        int code = _process.ExitCode;
        _process.Dispose();
        _process = null;
        if (code != 0)
        {
            Abort();
            throw new IOException($"ffmpeg failed to encode '{path}' (exit {code}): {Errors()}");
        }
        PartialFiles.Commit(_temp, path, overwrite);
        _temp = null;
    }

    public void Abort()
    {
        try
        {
            _stdin?.Dispose();
        }
        catch (IOException)
        {
            // ffmpeg already gone: nothing left to flush.
        }
        _stdin = null;
        if (_process is { HasExited: false } p) p.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process?.Dispose();
        _process = null;
        PartialFiles.Discard(_temp);
        _temp = null;
    }

    public void Dispose()
    {
        Abort();
        _yuv?.Dispose();
    }

    private string Errors()
    {
        lock (_errors) return _errors.Length == 0 ? "no message" : _errors.ToString().Trim().Replace(Environment.NewLine, "; ");
    }
}
