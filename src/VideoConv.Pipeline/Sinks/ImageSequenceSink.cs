using System.Text.RegularExpressions;
using OpenCvSharp;
using VideoConv.Core.Imaging;
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

    public void Write(Frame frame)
    {
        if (frame.Format.Channels == 2)
            throw new InvalidOperationException($"cannot write 2-channel frames ({frame.Format}) as images; end the chain with 1, 3 or 4 channels");
        string file = PathFor(pattern, _next);
        if (!overwrite && File.Exists(file))
            throw new IOException($"'{file}' exists; not replacing it without overwrite");
        if (!Cv2.ImWrite(file, frame.Mat))
            throw new IOException($"OpenCV could not write '{file}' (unknown image extension?)");
        _next++;
    }

    public void Complete() { }
    public void Abort() { }
    public void Dispose() { }
}
