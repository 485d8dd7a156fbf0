using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace VideoConv.Cli.Bench;

/// <summary>
/// The standalone check: one OpenCV call of <see cref="BenchCases"/> timed in a process of its own
/// (<c>videoconv bench --peer-only NAME</c>), with nothing of ours loaded or running beside it.
/// </summary>
public static class PeerProcess
{
    private const string Marker = "peer-ms ";

    /// <summary>Runs this program again as <c>bench --peer-only</c> and returns the median it reports.</summary>
    public static double Time(string caseName, BenchSettings settings)
    {
        string program = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        var arguments = new List<string>();
        // Under `dotnet videoconv.dll` the host is dotnet itself: pass the entry assembly first.
        // (A native AOT binary is the program itself, and has no assembly file.)
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
            arguments.Add(Path.Combine(AppContext.BaseDirectory, typeof(PeerProcess).Assembly.GetName().Name + ".dll"));
        arguments.AddRange(
        [
            "bench", "--peer-only", caseName, "--size", $"{settings.Width}x{settings.Height}", "--channels", Str(settings.Channels),
            "--threads", Str(settings.EffectiveThreads), "--iterations", Str(settings.Iterations * settings.Rounds), "--frames", Str(settings.Frames),
        ]);
        foreach (int k in settings.KernelSizes ?? []) arguments.AddRange(["--kernel", Str(k)]);
        var psi = VideoConv.Pipeline.SystemTools.StartInfo(program, arguments);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("the peer process did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill();
            throw new InvalidOperationException("the peer process ran over 5 minutes");
        }
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null
            || !double.TryParse(line[Marker.Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double ms))
            throw new InvalidOperationException($"the peer process failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        return ms;
    }

    /// <summary>The child's side: time one case's OpenCV call alone and print <c>peer-ms MEDIAN</c>.</summary>
    public static int RunPeerOnly(string caseName, BenchSettings settings)
    {
        var c = BenchCases.All(settings).FirstOrDefault(x => x.Name == caseName)
                ?? throw new CommandLine.UsageException($"--peer-only: no bench operation named '{caseName}'");
        Cv2.SetNumThreads(settings.EffectiveThreads);
        using var frames = new BenchFrames(settings);
        using var peer = c.Peer(frames.NextMat);
        double ms = EngineBenchmark.Block(settings.Iterations, peer.Invoke, EngineBenchmark.CpuTime(settings));
        Console.WriteLine(Marker + ms.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
