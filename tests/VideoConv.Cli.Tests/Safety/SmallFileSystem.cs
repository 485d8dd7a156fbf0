using System.Diagnostics;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Safety;

/// <summary>
/// A real, tiny file system (tmpfs of a few MiB) mounted for one test, so a full disk is a real ENOSPC from the
/// kernel. Needs root (or CAP_SYS_ADMIN); tests that use it skip visibly where mounting is not allowed.
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    private readonly TempFolder _parent = new();

    public SmallFileSystem(int megabytes = 3)
    {
        Path = _parent.Combine("small");
        Directory.CreateDirectory(Path);
        var (code, err) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", Path);
        if (code != 0) throw new InvalidOperationException($"mount failed: {err}");
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Fills the file system, leaving <paramref name="leaveBytes"/> free.</summary>
    public void Fill(long leaveBytes)
    {
        long free = new DriveInfo(Path).AvailableFreeSpace;
        using var f = File.Create(Combine("filler.bin"));
        var block = new byte[64 * 1024];
        long toWrite = Math.Max(0, free - leaveBytes);
        while (toWrite > 0)
        {
            int n = (int)Math.Min(block.Length, toWrite);
            f.Write(block, 0, n);
            toWrite -= n;
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _parent.Dispose();
    }

    private static (int, string) Run(string program, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, err.Result.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }

    /// <summary>Null when a tmpfs can be mounted here, else why not.</summary>
    public static string? Unavailable { get; } = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "skipped: needs Linux to mount a tmpfs";
        try
        {
            using var fs = new SmallFileSystem(1);
            return null;
        }
        catch (Exception ex)
        {
            return $"skipped: cannot mount a small tmpfs here ({ex.Message.Trim()}); needs root or CAP_SYS_ADMIN";
        }
    }
}

/// <summary>A fact that needs a mountable tmpfs; skipped, with the reason, where there is none.</summary>
public sealed class RequiresSmallFileSystemFactAttribute : FactAttribute
{
    public RequiresSmallFileSystemFactAttribute()
    {
        if (SmallFileSystem.Unavailable is { } reason) Skip = reason;
        else if (!Reliability.SystemFfmpeg.Available) Skip = Reliability.SystemFfmpeg.SkipReason;
    }
}
