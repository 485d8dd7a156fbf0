using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline;

/// <summary>Encoders the file sink can use, by FOURCC, and the default per extension.</summary>
/// <remarks>
/// Defaults by extension: <c>.mkv</c> → <c>FFV1</c> (lossless, so filtered output can be checked bit for bit);
/// <c>.avi</c> → <c>MJPG</c> (plays everywhere, intra-only); <c>.mp4</c>, <c>.m4v</c>, <c>.mov</c> → <c>mp4v</c>
/// (MPEG-4 Part 2, the only MP4 video encoder bundled). The bundled OpenCV FFmpeg has no H.264 encoder.
/// </remarks>
public static class Codecs
{
    /// <summary>FOURCCs the bundled encoders accept here.</summary>
    public static IReadOnlyList<string> Known { get; } = ["mp4v", "MJPG", "XVID", "FFV1"];

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mkv"] = "FFV1",
        [".avi"] = "MJPG",
        [".mp4"] = "mp4v",
        [".m4v"] = "mp4v",
        [".mov"] = "mp4v",
    };

    private static readonly HashSet<string> H264Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "h264", "h.264", "avc", "avc1", "x264", "X264", "H264", "hevc", "h265", "h.265", "hvc1", "hev1", "x265",
    };

    /// <summary>The FOURCC for <paramref name="path"/>: <paramref name="codec"/> if given and known, else the extension's default; throws <see cref="PipelineSpecException"/> (subject "codec") otherwise (H.264 gets its own explanation).</summary>
    public static string Resolve(string path, string? codec)
    {
        if (!string.IsNullOrWhiteSpace(codec))
        {
            string c = codec.Trim();
            if (H264Names.Contains(c))
                throw new PipelineSpecException("codec",
                    $"codec '{c}': the bundled OpenCV has no H.264/H.265 encoder; use mp4v (.mp4) or FFV1 (.mkv, lossless), or re-encode afterwards with the system ffmpeg");
            foreach (var k in Known)
                if (string.Equals(k, c, StringComparison.OrdinalIgnoreCase)) return k;
            throw new PipelineSpecException("codec", $"unknown codec '{c}'; known: {string.Join(", ", Known)}");
        }
        string ext = Path.GetExtension(path);
        if (ByExtension.TryGetValue(ext, out var fourcc)) return fourcc;
        throw new PipelineSpecException("codec",
            $"no default codec for '{(ext.Length == 0 ? "(no extension)" : ext)}'; use .mkv (FFV1), .avi (MJPG) or .mp4 (mp4v), or give codec: one of {string.Join(", ", Known)}");
    }
}
