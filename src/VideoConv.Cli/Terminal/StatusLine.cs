using System.Globalization;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// One self-updating line on stderr while a pipeline runs: a progress bar when the frame count is known,
/// else fps, frames, drops and latency. Silent when stderr is not a terminal, unless asked for plain
/// progress lines (<c>--progress</c>: one line a second, for logs and for scripts that wait on progress).
/// </summary>
public sealed class StatusLine(bool linesWhenRedirected = false)
{
    private readonly TextWriter _out = Console.Error;
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly bool _lines = Console.IsErrorRedirected && linesWhenRedirected;
    private readonly Lock _lock = new();
    private int _lastLength;
    private long _lastLineTimestamp;

    public void Update(PipelineStats stats)
    {
        if (_lines)
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            lock (_lock)
            {
                if (_lastLineTimestamp != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastLineTimestamp, now).TotalSeconds < 1) return;
                _lastLineTimestamp = now;
                _out.WriteLine($"videoconv: progress: {Format(stats)}");
            }
            return;
        }
        if (!_enabled) return;
        var line = Format(stats);
        lock (_lock)
        {
            _out.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
    }

    /// <summary>Clears the live line so the final report starts on a clean line.</summary>
    public void Clear()
    {
        if (!_enabled) return;
        lock (_lock)
        {
            if (_lastLength > 0) _out.Write("\r" + new string(' ', _lastLength) + "\r");
            _lastLength = 0;
        }
    }

    public static string Format(PipelineStats s)
    {
        var ci = CultureInfo.InvariantCulture;
        var figures = string.Format(ci, "{0:0.0} fps  {1} frames  {2} dropped  latency p50 {3:0.0} ms p99 {4:0.0} ms",
            s.Fps, s.FramesOut, s.Dropped, s.LatencyP50Ms, s.LatencyP99Ms);
        if (s.TotalFrames is not > 0) return figures;
        double done = Math.Clamp((double)s.FramesIn / s.TotalFrames.Value, 0, 1);
        const int width = 24;
        int filled = (int)(done * width);
        var eta = s.Fps > 0 ? TimeSpan.FromSeconds((s.TotalFrames.Value - s.FramesIn) / s.Fps) : (TimeSpan?)null;
        return string.Format(ci, "[{0}{1}] {2,3:0}%  {3}/{4}  {5}  ETA {6}",
            new string('#', filled), new string('-', width - filled), done * 100, s.FramesIn, s.TotalFrames, figures,
            eta is { } e ? e.ToString(e.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", ci) : "?");
    }

    /// <summary>The one-line summary printed when a run ends.</summary>
    public static string Summary(PipelineStats s) => string.Format(CultureInfo.InvariantCulture,
        "{0} frames in {1:0.0} s ({2:0.0} fps), {3} dropped, latency p50 {4:0.0} ms p99 {5:0.0} ms",
        s.FramesOut, s.ElapsedSeconds, s.Fps, s.Dropped, s.LatencyP50Ms, s.LatencyP99Ms);
}
