using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VideoConv.Cli.Bench;
using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv bench</c>: our engine and OpenCV on the same generated frames, side by side.</summary>
internal static class BenchVerb
{
    public static VerbDefinition Definition { get; } = new(
        "bench",
        "Time the engine against OpenCV on generated frames (separate time blocks, OpenCV also alone in its own process)",
        [],
        [
            new("size", "WxH", "Frame size (default 1920x1080)"),
            new("channels", "N", "Channels: 1, 3 or 4 (default 3)"),
            new("kernel", "K", "Generic kernel sizes to time (default 3, 5, 7, 11)", Repeatable: true, Alias: "k"),
            new("only", "TEXT", "Engine: time only the operations whose name contains TEXT (e.g. 'gaussian', 'sobel')", Repeatable: true),
            new("threads", "N", "Threads for both engines (default: all cores); with 1, times are thread CPU time"),
            new("iterations", "N", "Timed runs per operation; the median is reported (default 30)"),
            new("frames", "N", "Engine: source frames each side takes in turn (default 1: the same frame, in cache; 8 or more: frames not in cache, as a pipeline's)"),
            new("json", "FILE", "Also write the table as JSON ('-' for stdout only)"),
            new("pipeline", null, "Instead: end to end, 1080p H.264 → sharpen → MPEG-4 file, against the FFmpeg CLI (needs ffmpeg)"),
            new("input", "FILE", "With --pipeline: the clip to use (default: a generated 1080p30 H.264 clip)"),
            new("seconds", "N", "With --pipeline: length of the generated clip (default 10)"),
            new("rounds", "N", "Engine: time blocks per side, alternating (default 3); with --pipeline: runs of each job, alternating (default 2)"),
            new("no-standalone", null, "Engine: skip the check that times each OpenCV call alone in a child process"),
            new("peer-only", "NAME", "Internal: time only OpenCV's call for operation NAME in this process and print 'peer-ms MEDIAN' (the standalone check)"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        RunAsync,
        """
        Each row times one operation on the same frames (one, in cache, or --frames N taken in turn, not in
        cache, as a pipeline's decoded frames are): generic float kernels against filter2D, the 5x5
        Gaussian against GaussianBlur, the Sobel magnitude against Sobel x + Sobel y + magnitude, the chain
        gaussian → sharpen → sobel (fused, and step by step) against the same OpenCV calls in turn, and
        sharpen ten times (its cost per step against one sharpen's, in the chain's own schedule). Each side
        runs in its own time blocks with its own warm-up (medians of --iterations runs, then the median over
        --rounds blocks); each OpenCV call is also timed alone in a child process ('alone ms'). 'ratio' is
        OpenCV's faster figure over ours (above 1: we are faster); 'check' says whether OpenCV in its block
        agreed with OpenCV alone within 25 %; 'max diff' is the largest difference between the two outputs,
        in 8-bit steps. The CPU model and vector width are printed with the table.
        """);

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        if (args.Flag("pipeline")) return await RunPipelineAsync(args, cancellationToken);
        if (args.Value("peer-only") is { } peer) return PeerProcess.RunPeerOnly(peer, EngineSettings(args));
        return RunEngine(args);
    }

    private static async Task<int> RunPipelineAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var rows = await PipelineBenchmark.RunAsync(args.Value("input"), args.Int("seconds", 1, 600) ?? 10, args.Int("rounds", 1, 20) ?? 2,
            line => Console.Error.WriteLine("  " + line), cancellationToken);
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var table = new Table().Border(TableBorder.Rounded).Title("videoconv bench --pipeline")
            .AddColumn(new TableColumn("job").NoWrap()).AddColumn(new TableColumn("frames").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned()).AddColumn(new TableColumn("fps").RightAligned());
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Job), r.Frames.ToString(CultureInfo.InvariantCulture),
                r.Seconds.ToString("F2", CultureInfo.InvariantCulture), r.Fps.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        double ours = rows.Where(r => r.Job.StartsWith("VideoConv", StringComparison.Ordinal)).Max(r => r.Fps);
        double theirs = rows.Where(r => r.Job.StartsWith("FFmpeg", StringComparison.Ordinal)).Max(r => r.Fps);
        Console.WriteLine($"best of each: VideoConv {ours:F1} fps, FFmpeg CLI {theirs:F1} fps, ratio {ours / theirs:F2}x");
        if (args.Value("json") is { } json)
        {
            var text = JsonSerializer.Serialize(rows.Select(r => new PipelineRunEntry(r.Job, r.Frames, Math.Round(r.Seconds, 3), Math.Round(r.Fps, 2))).ToList(),
                BenchJson.Default.ListPipelineRunEntry);
            if (json == "-") Console.Out.WriteLine(text);
            else await File.WriteAllTextAsync(json, text + Environment.NewLine, cancellationToken);
        }
        return VideoconvApp.Success;
    }

    private static BenchSettings EngineSettings(ParsedArguments args)
    {
        var (width, height) = ParseSize(args.Value("size") ?? "1920x1080");
        var kernels = args.Values("kernel").Select(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= 31
            ? v : throw new UsageException($"--kernel must be a size from 1 to 31, got '{k}'")).ToList();
        return new BenchSettings(width, height,
            Channels: args.Int("channels", 1, 4) is { } c && c != 2 ? c : args.Value("channels") is null ? 3 : throw new UsageException("--channels must be 1, 3 or 4"),
            Threads: args.Int("threads", 1, 256) ?? 0,
            Iterations: args.Int("iterations", 1, 10000) ?? 30,
            KernelSizes: kernels.Count > 0 ? kernels : null,
            Rounds: args.Int("rounds", 1, 20) ?? 3,
            Standalone: !args.Flag("no-standalone"),
            Only: args.Values("only").ToList(),
            Frames: args.Int("frames", 1, 64) ?? 1);
    }

    private static int RunEngine(ParsedArguments args)
    {
        var settings = EngineSettings(args);
        string? json = args.Value("json");
        bool quiet = json == "-";

        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200; // keep rows on one line in logs
        var table = new Table().Border(TableBorder.Rounded).Title("videoconv bench")
            .AddColumn(new TableColumn("operation").NoWrap()).AddColumn(new TableColumn("frame").NoWrap())
            .AddColumn(new TableColumn("ours ms").RightAligned().NoWrap()).AddColumn(new TableColumn("OpenCV ms").RightAligned().NoWrap())
            .AddColumn(new TableColumn("alone ms").RightAligned().NoWrap()).AddColumn(new TableColumn("check").NoWrap())
            .AddColumn(new TableColumn("ratio").RightAligned().NoWrap()).AddColumn(new TableColumn("max diff").RightAligned().NoWrap())
            .AddColumn(new TableColumn("our path").NoWrap());
        string machine = MachineInfo.Summary(settings.EffectiveThreads)
                         + (EngineBenchmark.CpuTime(settings) ? "; times are thread CPU time (one thread each side)" : "; times are wall time")
                         + (settings.Frames > 1 ? $"; {settings.Frames} source frames in turn (not in cache)" : "; one source frame (in cache)");
        if (!quiet) Console.Error.WriteLine("  " + machine);
        var rows = EngineBenchmark.Run(settings, row =>
        {
            if (!quiet) Console.Error.WriteLine($"  {row.Operation}: {F(row.OursMs)} ms vs {F(row.OpenCvMs)} ms (alone {(row.StandaloneMs is { } a ? F(a) : "-")} ms)");
        }, line => Console.Error.WriteLine("  " + line));
        foreach (var r in rows)
            table.AddRow(r.Operation, r.FrameSize, F(r.OursMs), F(r.OpenCvMs), r.StandaloneMs is { } a ? F(a) : "-",
                r.Agrees switch { true => "ok", false => "[yellow]differs[/]", null => "-" },
                $"{r.Ratio.ToString("F2", CultureInfo.InvariantCulture)}x", r.MaxDifference.ToString(CultureInfo.InvariantCulture), Markup.Escape(ShortPath(r.Path)));
        if (!quiet)
        {
            AnsiConsole.Write(table);
            Console.WriteLine(machine);
            foreach (var (chain, perStep, single, ratio) in EngineBenchmark.PerStep(rows))
                Console.WriteLine($"{chain.Operation}: {F(perStep)} ms per step ({chain.Steps} steps, {(chain.Path.StartsWith("fused", StringComparison.Ordinal) ? "fused" : "step by step")}) = "
                                  + $"{ratio.ToString("F2", CultureInfo.InvariantCulture)}x one {BenchCases.SingleStep} step ({F(single)} ms, same run; target ≤ 1.2x)");
            if (rows.Any(r => r.Agrees == false))
                Console.WriteLine($"check: OpenCV in its block differed from OpenCV alone by over {EngineBenchmark.Agreement:P0} for some rows (machine busy?); their ratios use the faster figure");
        }
        if (json is not null)
        {
            var text = JsonSerializer.Serialize(new EngineBenchReport(
                new BenchMachine(MachineInfo.CpuModel, Environment.ProcessorCount, MachineInfo.CpuVectors, VideoConv.Core.Convolution.EngineInfo.VectorBits,
                    settings.EffectiveThreads, settings.Frames),
                rows.Select(r => new EngineBenchRow(r.Operation, r.FrameSize, Math.Round(r.OursMs, 3), Math.Round(r.OpenCvMs, 3),
                    r.StandaloneMs is { } a ? Math.Round(a, 3) : null, r.Agrees, Math.Round(r.Ratio, 3), r.MaxDifference, r.Path, r.Steps)).ToList(),
                EngineBenchmark.PerStep(rows).Select(p => new PerStepRow(p.Chain.Operation, p.Chain.Steps, Math.Round(p.PerStepMs, 3),
                    Math.Round(p.SingleMs, 3), Math.Round(p.Ratio, 3))).ToList()), BenchJson.Default.EngineBenchReport);
            if (quiet) Console.Out.WriteLine(text);
            else File.WriteAllText(json, text + Environment.NewLine);
        }
        return VideoconvApp.Success;
    }

    // A chain's path names every step's; keep the table's rows on one line (runs of one path as "10× path").
    private static string ShortPath(string path)
    {
        var text = path.Replace("flat ", "").Replace(" simd256", "").Replace(" simd512", "").Replace(" simd128", "");
        string prefix = text.StartsWith("fused: ", StringComparison.Ordinal) ? "fused: " : "";
        var steps = text[prefix.Length..].Split(" | ");
        var parts = new List<string>();
        for (int i = 0; i < steps.Length;)
        {
            int j = i;
            while (j < steps.Length && steps[j] == steps[i]) j++;
            parts.Add(j - i > 1 ? $"{j - i}× {steps[i]}" : steps[i]);
            i = j;
        }
        return prefix + string.Join(" | ", parts);
    }

    private static string F(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    private static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && w is >= 1 and <= 16384 && h is >= 1 and <= 16384)
            return (w, h);
        throw new UsageException($"--size must be WIDTHxHEIGHT (each 1..16384), got '{text}'");
    }
}
