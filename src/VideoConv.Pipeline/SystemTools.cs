using System.Diagnostics;

namespace VideoConv.Pipeline;

/// <summary>Programs the pipeline may call (ffmpeg, ffprobe), found on PATH, and the one way they are started.</summary>
public static class SystemTools
{
    /// <summary>The full path of <paramref name="tool"/> on PATH, or null when it is not installed.</summary>
    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, OperatingSystem.IsWindows() ? tool + ".exe" : tool);
            if (File.Exists(full)) return full;
        }
        return null;
    }

    /// <summary>True when the system FFmpeg 5.1 libraries load in-process: file sources decode and MPEG-4/MJPEG files encode through them.</summary>
    public static bool HasFfmpegLibraries => FFmpeg.LibAv.IsAvailable;

    /// <summary>
    /// How every child process is started: an argument list (never a command string, so no value is split or
    /// quoted by anyone), and on Linux in a session of its own (<c>setsid</c> execs the program in place, same
    /// pid), so a terminal's Ctrl+C reaches VideoConv alone and VideoConv decides how its children stop — an
    /// encoder is finalized, not killed mid-file.
    /// </summary>
    /// <param name="program">Full path of the program (from <see cref="Find"/>).</param>
    /// <param name="arguments">Its arguments, each one word as given.</param>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        if (!Path.IsPathFullyQualified(program)) throw new ArgumentException($"'{program}' is not a full path", nameof(program));
        ProcessStartInfo info;
        if (OperatingSystem.IsLinux() && s_setsid.Value is { } setsid)
        {
            info = new ProcessStartInfo(setsid);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(program);
        }
        else info = new ProcessStartInfo(program);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.UseShellExecute = false;
        return info;
    }

    private static readonly Lazy<string?> s_setsid = new(() => Find("setsid"));

    /// <summary>
    /// A file path as an FFmpeg program argument: absolute, and behind the <c>file:</c> protocol, so a name that
    /// begins with a dash or looks like <c>udp://…</c> is only ever a file.
    /// </summary>
    public static string FfmpegFileArgument(string path) => "file:" + Path.GetFullPath(path);
}
