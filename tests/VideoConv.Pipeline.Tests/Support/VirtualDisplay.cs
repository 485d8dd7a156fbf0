using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VideoConv.Pipeline.Tests.Support;

/// <summary>
/// An Xvfb server for display tests. Xvfb picks a free display number and reports it on stdout
/// (<c>-displayfd 1</c>) once it accepts connections, so there is nothing to wait for by sleeping.
/// </summary>
/// <remarks>
/// One per test process (<see cref="Shared"/>): GTK binds to the first X server the process opens and aborts the
/// process when that server goes away, so a server per test crashed the test host when the second test began.
/// Tests that use it belong to <see cref="DisplayCollection"/> (GTK is not thread-safe: one test at a time).
/// </remarks>
public sealed partial class VirtualDisplay : IDisposable
{
    private static readonly Lazy<VirtualDisplay> s_shared = new(() =>
    {
        var display = new VirtualDisplay();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => display.Dispose();
        return display;
    });

    private readonly Process _xvfb;

    /// <summary>The test process's one X server, started on first use and stopped when the process exits.</summary>
    public static VirtualDisplay Shared => s_shared.Value;

    private VirtualDisplay(int width = 1024, int height = 768)
    {
        var psi = new ProcessStartInfo("Xvfb") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-displayfd", "1", "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp" })
            psi.ArgumentList.Add(a);
        _xvfb = Process.Start(psi)!;
        _xvfb.ErrorDataReceived += (_, _) => { };
        _xvfb.BeginErrorReadLine();
        string? number = _xvfb.StandardOutput.ReadLine();
        if (string.IsNullOrWhiteSpace(number)) throw new InvalidOperationException("Xvfb did not report a display number");
        Name = ":" + number.Trim();
        Width = width;
        Height = height;
        // .NET keeps its own copy of the environment on Unix; GTK reads the native one.
        Environment.SetEnvironmentVariable("DISPLAY", Name);
        SetEnv("DISPLAY", Name, 1);
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Grabs the whole screen into a PNG with ffmpeg's x11grab.</summary>
    public void Screenshot(string path)
    {
        var (code, output) = TestMedia.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "x11grab",
            "-video_size", $"{Width}x{Height}", "-i", Name, "-frames:v", "1", path);
        if (code != 0) throw new InvalidOperationException($"screenshot failed: {output}");
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    public void Dispose()
    {
        try { _xvfb.Kill(); } catch (InvalidOperationException) { }
        _xvfb.WaitForExit();
        _xvfb.Dispose();
    }
}

/// <summary>Tests that drive GTK windows on <see cref="VirtualDisplay.Shared"/>: one at a time.</summary>
[CollectionDefinition(nameof(DisplayCollection), DisableParallelization = true)]
public sealed class DisplayCollection;
