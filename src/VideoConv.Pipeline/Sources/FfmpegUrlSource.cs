using System.Diagnostics;
using System.Globalization;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sources;

/// <summary>
/// <c>url: …</c> — OpenCV's bundled FFmpeg has no network protocols, so the system <c>ffmpeg</c> decodes the
/// stream to raw BGR on its stdout and frames are read straight into pooled frames. Size and rate come
/// from <c>ffprobe</c> first.
/// </summary>
internal sealed class FfmpegUrlSource(string url) : IFrameSource, IInterruptibleSource
{
    private Process? _ffmpeg;
    private Process? _probe;
    private Stream? _stdout;
    private CancellationTokenRegistration _cancelRegistration;
    private readonly Queue<string> _stderrTail = new();

    // FFmpeg's default analysis of a live stream (5 s, twice: ffprobe then ffmpeg) makes every (re)connect
    // take ~11 s; 1 s finds a video stream's size and rate just as well (measured on MPEG-TS over UDP: 11 s → 2.7 s).
    private const string AnalyzeMicroseconds = "1000000";

    public ImageFormat Format { get; private set; }
    public double Fps { get; private set; }
    public long? TotalFrames => null;

    public void Open(CancellationToken cancellationToken)
    {
        var ffprobe = SystemTools.Find("ffprobe") ?? throw new InvalidOperationException("url sources need the system ffprobe and ffmpeg, and ffprobe is not on PATH");
        var ffmpeg = SystemTools.Find("ffmpeg") ?? throw new InvalidOperationException("url sources need the system ffmpeg, which is not on PATH");
        if (!UrlSourceSpec.HasScheme(url)) throw new ArgumentException($"url '{url}' is not of the form scheme://…");
        (Format, Fps) = ProbeUntilDecodable(ffprobe, cancellationToken);

        var psi = SystemTools.StartInfo(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-analyzeduration", AnalyzeMicroseconds, "-i", url, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        _ffmpeg = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffmpeg");
        _ffmpeg.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderrTail)
            {
                _stderrTail.Enqueue(e.Data);
                while (_stderrTail.Count > 5) _stderrTail.Dequeue();
            }
        };
        _ffmpeg.BeginErrorReadLine();
        _stdout = _ffmpeg.StandardOutput.BaseStream;
        PipeCapacity.TryEnlarge(_stdout);
        PipeCapacity.TryEnlarge(_stdout);
        // Cancelling kills ffmpeg, which ends a blocked read of its stdout.
        _cancelRegistration = cancellationToken.Register(Kill);
    }

    // A live stream joined between keyframes has no frame size yet (ffprobe reports 0x0: the decoder has seen
    // no SPS/keyframe): that is "not yet", as ffplay treats it, so probe again over the next second of the
    // stream until a keyframe has passed. The watchdog's connect timeout bounds the wait; cancelling ends it.
    private (ImageFormat, double) ProbeUntilDecodable(string ffprobe, CancellationToken ct)
    {
        while (true)
        {
            var (format, fps) = Probe(ffprobe, ct);
            if (format is { } known) return (known, fps);
            ct.ThrowIfCancellationRequested();
        }
    }

    private (ImageFormat?, double) Probe(string ffprobe, CancellationToken ct)
    {
        var psi = SystemTools.StartInfo(ffprobe, ["-v", "error", "-analyzeduration", AnalyzeMicroseconds, "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "default=noprint_wrappers=1", "-i", url]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffprobe");
        Volatile.Write(ref _probe, p);
        using var reg = ct.Register(() => { try { p.Kill(); } catch (InvalidOperationException) { } });
        var errTask = p.StandardError.ReadToEndAsync(CancellationToken.None);
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Volatile.Write(ref _probe, null);
        ct.ThrowIfCancellationRequested();
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        if (p.ExitCode != 0 || !values.TryGetValue("width", out var ws) || !values.TryGetValue("height", out var hs)
            || !int.TryParse(ws, CultureInfo.InvariantCulture, out int w) || !int.TryParse(hs, CultureInfo.InvariantCulture, out int h))
            throw new InvalidOperationException($"ffprobe found no video stream in '{url}': {FirstLine(errTask.Result)}");
        double fps = Rate(values.GetValueOrDefault("avg_frame_rate")) is > 0 and var avg ? avg : Rate(values.GetValueOrDefault("r_frame_rate"));
        if (w <= 0 || h <= 0) return (null, fps);   // no keyframe seen yet
        return (new ImageFormat(w, h, 3), fps);
    }

    private static double Rate(string? s)
    {
        if (s is null) return 0;
        var parts = s.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && d > 0) return n / d;
        return double.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static string FirstLine(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no details";

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        var stdout = _stdout ?? throw new InvalidOperationException("source not opened");
        var buffer = frame.Image.Data.AsSpan();
        int got = 0;
        while (got < buffer.Length)
        {
            int n = stdout.Read(buffer[got..]);
            if (n == 0) break;
            got += n;
        }
        if (got == buffer.Length) return true;
        cancellationToken.ThrowIfCancellationRequested();
        _ffmpeg!.WaitForExit();
        if (_ffmpeg.ExitCode != 0)
        {
            string tail;
            lock (_stderrTail) tail = string.Join(" | ", _stderrTail);
            throw new InvalidOperationException($"ffmpeg stopped reading '{url}' (exit code {_ffmpeg.ExitCode}): {tail}");
        }
        return false;   // the stream ended (a partial last frame is discarded)
    }

    private void Kill()
    {
        try { _ffmpeg?.Kill(); } catch (InvalidOperationException) { }
    }

    /// <summary>Kills ffprobe or ffmpeg, whichever is running: a read blocked on a silent stream then returns.</summary>
    public void Interrupt()
    {
        try { Volatile.Read(ref _probe)?.Kill(); } catch (InvalidOperationException) { }
        Kill();
    }

    public void Dispose()
    {
        _cancelRegistration.Dispose();
        Kill();
        _ffmpeg?.Dispose();
    }
}
