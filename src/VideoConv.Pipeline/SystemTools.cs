namespace VideoConv.Pipeline;

/// <summary>Programs the pipeline may call (ffmpeg, ffprobe), found on PATH.</summary>
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
}
