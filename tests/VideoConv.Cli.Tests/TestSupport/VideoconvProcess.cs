using System.Diagnostics;

namespace VideoConv.Cli.Tests.TestSupport;

/// <summary>Runs the built <c>videoconv</c> binary as a child process, as a user would.</summary>
public static class VideoconvProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    /// <summary>videoconv.dll: next to the test assembly (it is a project reference), else the Cli project's build output.</summary>
    public static string DllPath { get; } = Locate();

    private static string Locate()
    {
        var here = Path.Combine(AppContext.BaseDirectory, "videoconv.dll");
        if (File.Exists(here)) return here;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VideoConv.sln"))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException("cannot find videoconv.dll");
        return Directory.EnumerateFiles(Path.Combine(dir.FullName, "src", "VideoConv.Cli", "bin"), "videoconv.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
    }

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static Result Run(string workingDirectory, IDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DISPLAY"] = null;
        psi.Environment["WAYLAND_DISPLAY"] = null;
        psi.Environment["NO_COLOR"] = "1";
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"videoconv {string.Join(' ', args)} did not finish in 120 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
