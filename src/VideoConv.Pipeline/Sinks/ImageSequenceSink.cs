using System.Text.RegularExpressions;
using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Files;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>images: PATTERN</c> — one image file per frame, named by a printf-style number as ffmpeg does
/// (<c>out/%05d.png</c> → <c>out/00001.png</c>, …; numbering starts at 1). Each file is written whole.
/// </summary>
internal sealed partial class ImageSequenceSink(string pattern, bool overwrite) : IFrameSink
{
    private long _next = 1;

    public string Name => $"sink images {pattern}";
    public bool AcceptsFormatChange => true;

    [GeneratedRegex(@"%(0?)(\d*)d")]
    private static partial Regex NumberField();

    /// <summary>The file for frame <paramref name="number"/>; throws <see cref="ArgumentException"/> when the pattern has no <c>%d</c> field.</summary>
    public static string PathFor(string pattern, long number)
    {
        var m = NumberField().Match(pattern);
        if (!m.Success) throw new ArgumentException($"image pattern '{pattern}' needs one %d-style number field, e.g. out/%05d.png");
        int width = m.Groups[2].Value.Length > 0 ? int.Parse(m.Groups[2].Value) : 0;
        string digits = m.Groups[1].Value == "0" ? number.ToString().PadLeft(width, '0') : number.ToString().PadLeft(width);
        return string.Concat(pattern.AsSpan(0, m.Index), digits, pattern.AsSpan(m.Index + m.Length));
    }

    public void Open(ImageFormat format, double fps) => PathFor(pattern, 1);

    /// <summary>True when <paramref name="file"/> is a name the pattern produces (so the sink could write over it).</summary>
    public static bool Produces(string pattern, string file)
    {
        var m = NumberField().Match(pattern);
        if (!m.Success) return false;
        string width = m.Groups[2].Value;
        string digits = width.Length > 0 && m.Groups[1].Value == "0" ? $@"\d{{{int.Parse(width)},}}" : @" *\d+";
        string regex = "^" + Regex.Escape(Path.GetFullPath(pattern[..m.Index] + "0")[..^1]) + digits + Regex.Escape(pattern[(m.Index + m.Length)..]) + "$";
        return Regex.IsMatch(Path.GetFullPath(file), regex);
    }

    public void Write(Frame frame)
    {
        if (frame.Format.Channels == 2)
            throw new InvalidOperationException($"cannot write 2-channel frames ({frame.Format}) as images; end the chain with 1, 3 or 4 channels");
        string file = PathFor(pattern, _next);
        OutputPaths.Check(file, overwrite, [], "overwrite");
        // Encoded in memory and written by us: OpenCV's ImWrite reports a full disk only as "false".
        if (!Cv2.ImEncode(Path.GetExtension(file), frame.Mat, out var encoded))
            throw new IOException($"OpenCV cannot encode '{Path.GetExtension(file)}' images ('{file}')");
        OutputPaths.WriteAtomically(file, overwrite, stream => stream.Write(encoded));
        _next++;
    }

    public void Complete() { }
    public void Abort() { }
    public void Dispose() { }
}
