using System.Diagnostics;
using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Cli.Bench;

/// <summary>
/// One line of the bench table. <see cref="OpenCvMs"/> is OpenCV's median in its own time block of this
/// process; <see cref="StandaloneMs"/> the same call timed in a child process that runs nothing else.
/// </summary>
public sealed record BenchRow(string Operation, string FrameSize, double OursMs, double OpenCvMs, double? StandaloneMs, int MaxDifference, string Path, int Steps = 1)
{
    /// <summary>Our time per step of a repeated chain (<see cref="OursMs"/> for a single operation).</summary>
    public double OursPerStepMs => OursMs / Steps;

    /// <summary>The OpenCV figure the ratio uses: the faster of the in-process block and the standalone run, so a disturbed peer never flatters us.</summary>
    public double PeerMs => StandaloneMs is { } s ? Math.Min(s, OpenCvMs) : OpenCvMs;

    /// <summary>How many times faster we are (OpenCV time / our time).</summary>
    public double Ratio => PeerMs / OursMs;

    /// <summary>Whether the in-process block agrees with the standalone run within <see cref="EngineBenchmark.Agreement"/> (null: no standalone run).</summary>
    public bool? Agrees => StandaloneMs is { } s ? Math.Abs(OpenCvMs / s - 1) <= EngineBenchmark.Agreement : null;
}

/// <summary>Settings for <c>videoconv bench</c>.</summary>
public sealed record BenchSettings(int Width = 1920, int Height = 1080, int Channels = 3, int Threads = 0, int Iterations = 30,
    IReadOnlyList<int>? KernelSizes = null, int Rounds = 3, bool Standalone = true, IReadOnlyList<string>? Only = null, int Frames = 1)
{
    /// <summary>Whether operation <paramref name="name"/> is timed: all of them, or those whose name contains one of <see cref="Only"/>.</summary>
    public bool Includes(string name) => Only is not { Count: > 0 } || Only.Any(o => name.Contains(o, StringComparison.OrdinalIgnoreCase));

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
    public string FrameSize => $"{Width}x{Height}x{Channels}";
}

/// <summary>
/// Times the engine against OpenCV on identical generated frames (<see cref="BenchCases"/>), so that neither
/// side disturbs the other: each side runs in its own time blocks with its own warm-up, the blocks of the two
/// sides alternating over <see cref="BenchSettings.Rounds"/> rounds; every figure is the median of
/// <see cref="BenchSettings.Iterations"/> runs in a block, then the median over rounds. The OpenCV call is
/// also run alone in a child process (<c>videoconv bench --peer-only NAME</c>) as a check, and the ratio
/// uses whichever OpenCV figure is faster. With <see cref="BenchSettings.Frames"/> above 1 both sides take the
/// source frames in turn, so that each call reads a frame that is not in cache, as in a pipeline.
/// </summary>
/// <remarks>
/// Why blocks and not alternating calls (the earlier method): alternating each call, OpenCV's σ 0
/// GaussianBlur took 3.4 ms here against 1.0–2.0 ms in a process of its own (issue 13) — our parked helper
/// spins in its semaphore right after our call, on the core OpenCV's pool then wants, and OpenCV's pool
/// threads fall asleep during our call. In blocks both sides run warm, and the standalone check shows it.
/// </remarks>
public static class EngineBenchmark
{
    /// <summary>Largest relative difference between OpenCV in its block and OpenCV alone for the check to pass.</summary>
    public const double Agreement = 0.25;

    public static IReadOnlyList<BenchRow> Run(BenchSettings settings, Action<BenchRow>? onRow = null, Action<string>? log = null)
    {
        Cv2.SetNumThreads(settings.EffectiveThreads);
        using var scheduler = new BandScheduler(settings.EffectiveThreads);
        using var frames = new BenchFrames(settings);
        var format = frames.First.Format;
        var rows = new List<BenchRow>();
        foreach (var c in BenchCases.All(settings).Where(c => settings.Includes(c.Name)))
        {
            IFrameFilter worker = c.Chain.Count == 1 ? ConvolutionEngine.Create(c.Chain[0], format, scheduler) : new FilterChain(c.Chain, format, scheduler, c.Fuse);
            var ours = new Image(worker.Output);
            using var peer = c.Peer(frames.NextMat);
            var oursRounds = new double[settings.Rounds];
            var peerRounds = new double[settings.Rounds];
            for (int r = 0; r < settings.Rounds; r++)
            {
                oursRounds[r] = Block(settings.Iterations, () => worker.Apply(frames.NextImage(), ours), CpuTime(settings));
                peerRounds[r] = Block(settings.Iterations, peer.Invoke, CpuTime(settings));
            }
            // The outputs compared: both sides once more, on the first frame.
            worker.Apply(frames.First, ours);
            using var check = c.Peer(() => frames.FirstMat);
            check.Invoke();
            double? standalone = null;
            if (settings.Standalone)
            {
                try { standalone = PeerProcess.Time(c.Name, settings); }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    log?.Invoke($"{c.Name}: no standalone check ({ex.Message})");
                }
            }
            var row = new BenchRow(c.Name, settings.FrameSize, Median(oursRounds), Median(peerRounds), standalone,
                MaxDifference(ours, check.Output), worker.Path, c.Steps);
            rows.Add(row);
            onRow?.Invoke(row);
        }
        return rows;
    }

    /// <summary>
    /// Whether figures are this thread's CPU time rather than wall time: with one thread each side (both then run
    /// every band on the calling thread), where the clock exists — it leaves out other processes' turns on the core.
    /// </summary>
    public static bool CpuTime(BenchSettings settings) => settings.EffectiveThreads == 1 && ThreadClock.IsAvailable;

    /// <summary>The median of <paramref name="iterations"/> timed calls after a warm-up of at least 5 calls and 200 ms (JIT tiers, caches, thread pools awake).</summary>
    public static double Block(int iterations, Action call, bool cpuTime = false)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 5 || Stopwatch.GetElapsedTime(start).TotalMilliseconds < 200; i++) call();
        var t = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            double c0 = cpuTime ? ThreadClock.Milliseconds() : 0;
            call();
            t[i] = cpuTime ? ThreadClock.Milliseconds() - c0 : Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return Median(t);
    }

    /// <summary>
    /// Issue 13.4's figure: each repeated chain's per-step cost over the single step's (<see cref="BenchCases.SingleStep"/>),
    /// both from this run; empty when either row was not timed.
    /// </summary>
    public static IEnumerable<(BenchRow Chain, double PerStepMs, double SingleMs, double Ratio)> PerStep(IReadOnlyList<BenchRow> rows)
    {
        var single = rows.FirstOrDefault(r => r.Operation == BenchCases.SingleStep);
        if (single is null) yield break;
        foreach (var r in rows.Where(r => r.Steps > 1))
            yield return (r, r.OursPerStepMs, single.OursMs, r.OursPerStepMs / single.OursMs);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int MaxDifference(Image ours, Mat theirs)
    {
        using var oursMat = Mat.FromPixelData(ours.Height, ours.Width, MatType.CV_8UC(ours.Channels), ours.Pointer);
        using var diff = new Mat();
        Cv2.Absdiff(oursMat, theirs, diff);
        Cv2.MinMaxLoc(diff.Reshape(1), out _, out double maxDiff);
        return (int)maxDiff;
    }
}
