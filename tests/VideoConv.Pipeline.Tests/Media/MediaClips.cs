using System.Globalization;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>Clips made by the system ffmpeg for the media-layer tests, and ffprobe's view of outputs.</summary>
internal static class MediaClips
{
    /// <summary>H.264 + AAC (a 440 Hz sine), testsrc2 at 30 fps; <paramref name="setpts"/> makes it variable-rate.</summary>
    public static string Make(TempDir dir, string name, int width, int height, double seconds, string? setpts = null, string pixFmt = "yuv420p", int gop = 250, bool audio = true)
    {
        string path = dir.File(name);
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=30" };
        if (audio) args.AddRange(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]);
        args.AddRange(["-t", seconds.ToString(CultureInfo.InvariantCulture)]);
        if (setpts is not null) args.AddRange(["-vf", $"setpts={setpts}", "-fps_mode", "vfr"]);
        args.AddRange(["-c:v", "libx264", "-preset", "veryfast", "-g", gop.ToString(CultureInfo.InvariantCulture), "-pix_fmt", pixFmt]);
        if (audio) args.AddRange(["-c:a", "aac", "-b:a", "96k", "-shortest"]);
        args.Add(path);
        var (code, output) = TestMedia.Run("ffmpeg", [.. args]);
        Assert.True(code == 0, $"ffmpeg could not make {name}: {output}");
        return path;
    }

    /// <summary><c>ffprobe -show_entries stream=…</c> of one stream as key → value.</summary>
    public static Dictionary<string, string> Stream(string path, string selector, string entries = "codec_name,pix_fmt,width,height,duration,nb_frames,sample_rate")
    {
        var (code, output) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", selector, "-show_entries", $"stream={entries}", "-of", "default=nw=1", path);
        Assert.True(code == 0, output);
        // MPEG-TS (and HLS) lists each stream twice, under its program and on its own: the first is kept.
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
    }

    /// <summary>Every video frame's presentation time in seconds (<c>ffprobe -show_frames</c>).</summary>
    public static List<double> FrameTimes(string path)
    {
        var (code, output) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path);
        Assert.True(code == 0, output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l.Trim().TrimEnd(','), CultureInfo.InvariantCulture))];
    }

    /// <summary>The MD5 of a stream's packets, copied out by ffmpeg (<c>-c copy -f md5</c>): equal when the packets are bit-identical.</summary>
    public static string PacketMd5(string path, string map)
    {
        var (code, output) = TestMedia.Run("ffmpeg", "-v", "error", "-i", path, "-map", map, "-c", "copy", "-f", "md5", "-");
        Assert.True(code == 0, output);
        return output.Trim();
    }

    public static string Text(this Dictionary<string, string> stream, string key) => stream.TryGetValue(key, out var v) ? v : "(none)";
    public static double Number(this Dictionary<string, string> stream, string key) => double.Parse(stream[key], CultureInfo.InvariantCulture);
}
