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

    /// <summary>
    /// A native binary to test instead of <c>dotnet videoconv.dll</c>: <c>VIDEOCONV_TEST_BINARY</c> (an absolute path: a
    /// relative one is taken from the test run's folder), which
    /// scripts/test sets to the native AOT build when it runs this suite a second time.
    /// </summary>
    public static string? NativeBinary { get; } = Environment.GetEnvironmentVariable("VIDEOCONV_TEST_BINARY") is { Length: > 0 } b ? Path.GetFullPath(b) : null;

    /// <summary>The program to start and the arguments that come before videoconv's own.</summary>
    public static (string Program, string[] Leading) Command => NativeBinary is { } native ? (native, []) : ("dotnet", [DllPath]);

    /// <summary>The command as shell words (single-quoted), for tests whose shell wires pipes or a terminal around it.</summary>
    public static string ShellWords => string.Join(' ', ((string[])[Command.Program, .. Command.Leading]).Select(w => "'" + w.Replace("'", "'\\''") + "'"));

    /// <summary>A start for videoconv with <paramref name="args"/>, output redirected, no display.</summary>
    public static ProcessStartInfo StartInfo(string? workingDirectory, params string[] args)
    {
        var (program, leading) = Command;
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in (string[])[.. leading, .. args]) psi.ArgumentList.Add(a);
        psi.Environment["DISPLAY"] = null;
        return psi;
    }

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
        var psi = StartInfo(workingDirectory, args);
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
