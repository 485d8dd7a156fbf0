using System.Diagnostics;
using System.Globalization;
using System.Text;
using VideoConv.Pipeline;

namespace VideoConv.Cli.Batch;

/// <summary>A stream-copy step (probe, cut or join) that failed: one message naming the file.</summary>
public sealed class StreamCopyException(string message) : Exception(message);

/// <summary>One compressed video packet as the demuxer returns it (decode order).</summary>
public readonly record struct VideoPacket(long Pts, int Size, bool Key);

/// <summary>
/// The only place that cuts and joins files without re-encoding, through the system <c>ffmpeg</c>/<c>ffprobe</c>
/// commands (later: the in-process remuxer). Every path handed over is absolute and prefixed <c>file:</c>, so
/// no user value can become an option or a protocol; arguments go through <see cref="ProcessStartInfo.ArgumentList"/>.
/// </summary>
public static class StreamCopy
{
    public static bool Available => SystemTools.Find("ffmpeg") is not null && SystemTools.Find("ffprobe") is not null;

    /// <summary>The container duration in seconds, or null when the file has none.</summary>
    public static double? Duration(string input)
    {
        var text = Run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=nokey=1:noprint_wrappers=1", FileUrl(input)], input).Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : null;
    }

    /// <summary>The first video stream's time base and packets in decode order (demuxed only, not decoded).</summary>
    public static (long Num, long Den, IReadOnlyList<VideoPacket> Packets) VideoPackets(string input)
    {
        var text = Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base:packet=pts,size,flags", "-of", "csv=p=1", FileUrl(input)], input);
        long num = 0, den = 0;
        var packets = new List<VideoPacket>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',');
            if (f[0] == "stream" && f.Length >= 2 && f[1].Split('/') is [var n, var d])
            {
                num = long.Parse(n, CultureInfo.InvariantCulture);
                den = long.Parse(d, CultureInfo.InvariantCulture);
            }
            else if (f[0] == "packet" && f.Length >= 4)
            {
                if (!long.TryParse(f[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long pts))
                    throw new StreamCopyException($"{input}: a video packet without a timestamp; cannot cut it into segments");
                packets.Add(new VideoPacket(pts, int.Parse(f[2], CultureInfo.InvariantCulture), f[3].StartsWith('K')));
            }
        }
        if (num <= 0 || den <= 0 || packets.Count == 0) throw new StreamCopyException($"{input}: no video stream to cut into segments");
        return (num, den, packets);
    }

    /// <summary>True when <paramref name="file"/> has an audio stream.</summary>
    public static bool HasAudio(string file) =>
        Run("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", FileUrl(file)], file).Trim().Length > 0;

    /// <summary>
    /// Copies <paramref name="packets"/> video packets starting at the keyframe that a backward seek to
    /// <paramref name="seekSeconds"/> (a timestamp, not an offset) lands on, without audio, into <paramref name="destination"/>.
    /// </summary>
    public static void Cut(string input, double? seekSeconds, int packets, string destination)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" };
        if (seekSeconds is { } s) args.AddRange(["-seek_timestamp", "1", "-ss", s.ToString("0.#########", CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", FileUrl(input), "-map", "0:v:0", "-c", "copy", "-an", "-sn", "-dn", "-frames:v", packets.ToString(CultureInfo.InvariantCulture), FileUrl(destination)]);
        Run("ffmpeg", args, input);
    }

    /// <summary>
    /// Joins <paramref name="segments"/> (in order) by stream copy into <paramref name="destination"/>; the audio is the
    /// segments' own when they carry it, else <paramref name="audioSource"/>'s (the unsplit input), copied whole.
    /// </summary>
    public static void Join(IReadOnlyList<string> segments, string? audioSource, string listFile, string destination)
    {
        File.WriteAllText(listFile, ConcatList(segments), new UTF8Encoding(false));
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" };
        args.AddRange(["-f", "concat", "-safe", "0", "-i", FileUrl(listFile)]);
        bool ownAudio = HasAudio(segments[0]);
        if (!ownAudio && audioSource is not null) args.AddRange(["-i", FileUrl(audioSource)]);
        args.AddRange(["-map", "0:v"]);
        if (ownAudio) args.AddRange(["-map", "0:a"]);
        else if (audioSource is not null) args.AddRange(["-map", "1:a?"]);
        // The muxer's own rule for timestamps before zero (an AAC encoder's priming, copied from the input): Matroska
        // shifts every stream by it, exactly as the unsplit run's muxer does, so the joined file keeps the same times.
        args.AddRange(["-c", "copy", FileUrl(destination)]);
        Run("ffmpeg", args, destination);
    }

    /// <summary>
    /// An ffconcat list of <paramref name="paths"/>: each absolute, <c>file:</c>-prefixed and single-quoted (a quote
    /// written <c>'\''</c>), so no name can add a directive; names with line breaks are refused.
    /// </summary>
    public static string ConcatList(IEnumerable<string> paths)
    {
        var sb = new StringBuilder("ffconcat version 1.0\n");
        foreach (var path in paths)
            sb.Append("file '").Append(FileUrl(path).Replace("'", @"'\''", StringComparison.Ordinal)).Append("'\n");
        return sb.ToString();
    }

    /// <summary><c>file:</c> + the absolute path: never an option (no leading '-'), never another protocol.</summary>
    public static string FileUrl(string path)
    {
        if (path.IndexOfAny(['\n', '\r', '\0']) >= 0)
            throw new StreamCopyException($"'{path.ReplaceLineEndings(" ")}': file names with line breaks cannot be cut or joined");
        return SystemTools.FfmpegFileArgument(path);
    }

    private static string Run(string tool, IEnumerable<string> args, string subject)
    {
        var exe = SystemTools.Find(tool) ?? throw new StreamCopyException($"{subject}: segments need '{tool}' on PATH (apt-get install ffmpeg)");
        var psi = SystemTools.StartInfo(exe, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        using var process = Process.Start(psi) ?? throw new StreamCopyException($"{subject}: cannot start {tool}");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var why = stderr.Result.Trim().ReplaceLineEndings(" ");
            throw new StreamCopyException($"{subject}: {tool} failed (exit {process.ExitCode}){(why.Length > 0 ? ": " + why : "")}");
        }
        return stdout;
    }
}
