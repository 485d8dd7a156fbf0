using System.Diagnostics;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>Makes real encoded inputs with the system <c>ffmpeg</c> (the tests that need it skip visibly without it).</summary>
public static class SystemFfmpeg
{
    public static bool Available { get; } = Find("ffmpeg") is not null && Find("ffprobe") is not null;

    public const string SkipReason = "skipped: needs ffmpeg and ffprobe on PATH (not installed here)";

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>Encodes <paramref name="seconds"/> of ffmpeg's testsrc2 with <paramref name="codecArgs"/> into <paramref name="path"/>.</summary>
    public static string Encode(string path, double seconds, string size, params string[] codecArgs)
    {
        Run(["-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. codecArgs, path]);
        return path;
    }

    /// <summary>True when this ffmpeg build has the named encoder.</summary>
    public static bool HasEncoder(string name)
    {
        var psi = new ProcessStartInfo("ffmpeg", ["-hide_banner", "-encoders"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        string list = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return list.Split('\n').Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var n, ..] && n == name);
    }

    /// <summary>Decoded frame count of the first video stream (ffprobe -count_frames), or throws when it cannot be decoded.</summary>
    public static long CountFrames(string path)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "default=nokey=1:noprint_wrappers=1", path])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0 || !long.TryParse(output, out long n))
            throw new InvalidDataException($"ffprobe cannot decode '{path}' (exit {p.ExitCode}): {err.Result.Trim()} {output}");
        return n;
    }

    private static void Run(string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {err.Result}");
    }
}

/// <summary>A fact skipped, visibly and with the reason, when the system ffmpeg is missing.</summary>
public sealed class RequiresFfmpegFactAttribute : FactAttribute
{
    public RequiresFfmpegFactAttribute()
    {
        if (!SystemFfmpeg.Available) Skip = SystemFfmpeg.SkipReason;
    }
}
