using System.Globalization;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// The one progress renderer, for run and batch, always on stderr (stdout stays clean for data): one
/// self-updating line — a bar when the frame count is known, else fps, frames, drops and latency; in a batch,
/// the count done and each running input's share. Silent when stderr is not a terminal, unless asked for plain
/// progress lines (<c>--progress</c>: one line a second, for logs and for scripts that wait on progress), and
/// always silent with <c>--quiet</c>.
/// </summary>
public sealed class StatusLine(bool linesWhenRedirected = false, bool quiet = false)
{
    private readonly TextWriter _out = Console.Error;
    private readonly bool _enabled = !quiet && !Console.IsErrorRedirected;
    private readonly bool _lines = !quiet && Console.IsErrorRedirected && linesWhenRedirected;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PipelineStats> _jobs = new(StringComparer.Ordinal);
    private int _lastLength, _jobsDone, _jobsTotal;
    private long _lastLineTimestamp;

    /// <summary>A single run's snapshot (called from a pipeline thread).</summary>
    public void Update(PipelineStats stats) => Show(Format(stats));

    /// <summary>Starts a batch of <paramref name="total"/> inputs.</summary>
    public void StartBatch(int total)
    {
        lock (_lock) _jobsTotal = total;
    }

    /// <summary>A batch input's snapshot.</summary>
    public void Update(string job, PipelineStats stats)
    {
        string line;
        lock (_lock)
        {
            _jobs[job] = stats;
            line = BatchLine();
        }
        Show(line);
    }

    /// <summary>A batch input ended (either way).</summary>
    public void Finished(string job)
    {
        string line;
        lock (_lock)
        {
            _jobs.Remove(job);
            _jobsDone++;
            line = BatchLine();
        }
        Show(line);
    }

    /// <summary>Prints a whole line (a note, a warning) above the live line.</summary>
    public void WriteLine(string text)
    {
        lock (_lock)
        {
            ClearLocked();
            _out.WriteLine(text);
        }
    }

    /// <summary>Clears the live line so the final report starts on a clean line.</summary>
    public void Clear()
    {
        lock (_lock) ClearLocked();
    }

    private void ClearLocked()
    {
        if (!_enabled) return;
        if (_lastLength > 0) _out.Write("\r" + new string(' ', _lastLength) + "\r");
        _lastLength = 0;
    }

    private void Show(string line)
    {
        if (_lines)
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            lock (_lock)
            {
                if (_lastLineTimestamp != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastLineTimestamp, now).TotalSeconds < 1) return;
                _lastLineTimestamp = now;
                _out.WriteLine($"videoconv: progress: {line}");
            }
            return;
        }
        if (!_enabled) return;
        int width = TerminalWidth();
        if (line.Length > width - 1) line = line[..(width - 1)];
        lock (_lock)
        {
            _out.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
    }

    private static int TerminalWidth()
    {
        try { return Console.WindowWidth > 20 ? Console.WindowWidth : 160; }
        catch (IOException) { return 160; }
    }

    private string BatchLine()
    {
        var ci = CultureInfo.InvariantCulture;
        var running = _jobs.Select(j => j.Value.TotalFrames is > 0
            ? string.Format(ci, "{0} {1:0}% {2:0.0} fps", j.Key, 100.0 * Math.Min(j.Value.FramesIn, j.Value.TotalFrames.Value) / j.Value.TotalFrames.Value, j.Value.Fps)
            : string.Format(ci, "{0} {1} frames {2:0.0} fps", j.Key, j.Value.FramesOut, j.Value.Fps));
        return $"{_jobsDone}/{_jobsTotal} done" + (_jobs.Count > 0 ? "  " + string.Join("  |  ", running) : "");
    }

    public static string Format(PipelineStats s)
    {
        var ci = CultureInfo.InvariantCulture;
        var figures = string.Format(ci, "{0:0.0} fps  {1} frames  {2} dropped  latency p50 {3:0.0} ms p99 {4:0.0} ms",
            s.Fps, s.FramesOut, s.Dropped, s.LatencyP50Ms, s.LatencyP99Ms) + StepShares(s);
        if (s.TotalFrames is not > 0) return figures;
        double done = Math.Clamp((double)s.FramesIn / s.TotalFrames.Value, 0, 1);
        const int width = 24;
        int filled = (int)(done * width);
        var eta = s.Fps > 0 ? TimeSpan.FromSeconds((s.TotalFrames.Value - s.FramesIn) / s.Fps) : (TimeSpan?)null;
        return string.Format(ci, "[{0}{1}] {2,3:0}%  {3}/{4}  {5}  ETA {6}",
            new string('#', filled), new string('-', width - filled), done * 100, s.FramesIn, s.TotalFrames, figures,
            eta is { } e ? e.ToString(e.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", ci) : "?");
    }

    /// <summary>
    /// Each chain step's share of the filter's CPU time, e.g. <c>"  filter: 1 gaussian 41% | 2 sharpen 18% | 3 sobel 41%"</c>;
    /// empty for a chain of fewer than two steps or before any step has run.
    /// </summary>
    public static string StepShares(PipelineStats s)
    {
        var steps = s.Stages.FirstOrDefault(x => x.Steps.Count > 0)?.Steps;
        if (steps is not { Count: >= 2 }) return "";
        double total = steps.Sum(t => t.CpuMs);
        if (!(total > 0)) return "";
        return "  filter: " + string.Join(" | ", steps.Select(t => string.Format(CultureInfo.InvariantCulture, "{0} {1} {2:0}%", t.Step + 1, t.Filter, 100 * t.CpuMs / total)));
    }

    /// <summary>The one-line summary printed when a run ends.</summary>
    public static string Summary(PipelineStats s) => string.Format(CultureInfo.InvariantCulture,
        "{0} frames in {1:0.0} s ({2:0.0} fps), {3} dropped, latency p50 {4:0.0} ms p99 {5:0.0} ms",
        s.FramesOut, s.ElapsedSeconds, s.Fps, s.Dropped, s.LatencyP50Ms, s.LatencyP99Ms) + StepShares(s);
}
