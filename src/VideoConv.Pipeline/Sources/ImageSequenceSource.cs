using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sources;

/// <summary><c>images: GLOB</c> — still images matching a glob (wildcards in the file name), read in ordinal name order.</summary>
internal sealed class ImageSequenceSource(string glob, double fps = ImageSequenceSource.DefaultFps) : IFrameSource
{
    private string[] _files = [];
    private int _next;

    /// <summary>Default pace for realtime image sequences, which carry no frame rate.</summary>
    public const double DefaultFps = 25;

    public ImageFormat Format { get; private set; }
    public double Fps => fps;
    public long? TotalFrames => _files.Length;

    /// <summary>Files matching <paramref name="glob"/> in ordinal order (wildcards allowed in the last path segment only).</summary>
    public static string[] Match(string glob)
    {
        string dir = Path.GetDirectoryName(glob) is { Length: > 0 } d ? d : ".";
        string pattern = Path.GetFileName(glob);
        if (!Directory.Exists(dir) || pattern.Length == 0) return [];
        var files = Directory.GetFiles(dir, pattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public void Open(CancellationToken cancellationToken)
    {
        _files = Match(glob);
        if (_files.Length == 0) throw new InvalidOperationException($"no image matches '{glob}'");
        using var first = Load(_files[0]);
        Format = new ImageFormat(first.Width, first.Height, first.Channels());
    }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (_next >= _files.Length) return false;
        string file = _files[_next++];
        // Decoding allocates a native Mat per image (imread has no "into" form); the frame itself is pooled.
        using var img = Load(file);
        if (img.Width != Format.Width || img.Height != Format.Height || img.Channels() != Format.Channels)
            throw new InvalidOperationException($"image '{file}' is {img.Width}x{img.Height}x{img.Channels()}, but the sequence started at {Format}");
        img.CopyTo(frame.Mat);
        return true;
    }

    // 8-bit BGR whatever the file holds: grey and BGRA are converted, 16-bit is scaled (value / 257) as the
    // image verb does, and float or signed samples are refused (no single scale to 8 bits is right for them).
    private static Mat Load(string file)
    {
        var img = Cv2.ImRead(file, ImreadModes.AnyDepth | ImreadModes.AnyColor);
        try
        {
            if (img.Empty())
            {
                bool empty = new FileInfo(file) is { Exists: true, Length: 0 };
                throw new InvalidOperationException(empty
                    ? $"cannot read image '{file}': it is empty (0 bytes)"
                    : $"cannot read image '{file}': not an image OpenCV can read, or damaged");
            }
            int depth = img.Depth();
            if (depth == MatType.CV_16U)
                img.ConvertTo(img, MatType.CV_8UC(img.Channels()), 1.0 / 257.0);
            else if (depth != MatType.CV_8U)
                throw new InvalidOperationException($"image '{file}' has {(depth is MatType.CV_32F or MatType.CV_64F ? "floating-point" : "signed or 32-bit integer")} samples; only 8-bit and 16-bit images are supported (convert it to 8-bit first)");
            switch (img.Channels())
            {
                case 1: Cv2.CvtColor(img, img, ColorConversionCodes.GRAY2BGR); break;
                case 4: Cv2.CvtColor(img, img, ColorConversionCodes.BGRA2BGR); break;
                case 3: break;
                default: throw new InvalidOperationException($"image '{file}' has {img.Channels()} channels; 1, 3 or 4 are supported");
            }
            return img;
        }
        catch
        {
            img.Dispose();
            throw;
        }
    }

    public void Dispose() { }
}
