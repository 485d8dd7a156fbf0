using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline;

/// <summary>Codec names a file sink's <c>codec:</c> accepts, and the default per extension (decided in <see cref="MediaFormats"/>).</summary>
/// <remarks>
/// Defaults by extension, as FFmpeg's CLI chooses them: <c>.mp4</c>/<c>.m4v</c>/<c>.mov</c>/<c>.mkv</c>/<c>.ts</c> → H.264,
/// <c>.webm</c> → VP9, <c>.avi</c> → MPEG-4 Part 2. Today's FOURCCs (<c>mp4v</c>, <c>MJPG</c>, <c>XVID</c>, <c>FFV1</c>) still work.
/// </remarks>
public static class Codecs
{
    /// <summary>Codec names accepted: <c>h264</c>, <c>hevc</c>/<c>h265</c>, <c>vp9</c>, <c>av1</c>, <c>mpeg4</c>, <c>mjpeg</c>, <c>ffv1</c>, and the FOURCCs.</summary>
    public static IReadOnlyList<string> Known => MediaFormats.CodecNames;

    /// <summary>
    /// The codec for <paramref name="path"/>: <paramref name="codec"/> in its canonical spelling if given and known
    /// (<c>h264</c>, …, or the FOURCC as written), else the extension's default; throws <see cref="PipelineSpecException"/> (subject "codec").
    /// </summary>
    public static string Resolve(string path, string? codec)
    {
        if (string.IsNullOrWhiteSpace(codec)) return MediaFormats.ResolveName(path, null);
        string c = codec.Trim();
        foreach (var k in Known)
            if (string.Equals(k, c, StringComparison.OrdinalIgnoreCase)) return k;
        return MediaFormats.ResolveName(path, c);
    }
}
