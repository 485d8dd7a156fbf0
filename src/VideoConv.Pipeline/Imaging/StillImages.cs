using OpenCvSharp;
using VideoConv.Core.Imaging;

namespace VideoConv.Pipeline.Imaging;

/// <summary>Reads and writes still images (PNG, PGM, JPEG, …) through OpenCV, as 8-bit frames.</summary>
public static class StillImages
{
    /// <summary>Reads <paramref name="path"/> keeping its channel count (a grey image stays grey).</summary>
    public static Image Read(string path, Action<string> note)
    {
        using var mat = Cv2.ImRead(path, ImreadModes.Unchanged);
        if (mat.Empty()) throw new InputFileException($"'{path}' is not an image OpenCV can read (PNG, PGM/PPM, JPEG, BMP, TIFF, WebP…)", 1);
        int channels = mat.Channels();
        if (channels is not (1 or 3 or 4)) throw new InputFileException($"'{path}' has {channels} channels; 1 (grey), 3 (BGR) or 4 (BGRA) are supported");
        var depth = mat.Depth();
        using var eight = new Mat();
        if (depth == MatType.CV_8U) mat.CopyTo(eight);
        else if (depth == MatType.CV_16U)
        {
            note($"'{path}' is 16-bit; scaled to 8-bit (value / 257)");
            mat.ConvertTo(eight, MatType.CV_8UC(channels), 1.0 / 257.0);
        }
        else
            throw new InputFileException($"'{path}' has {DepthName(depth)} samples; only 8-bit and 16-bit images are supported (convert it to 8-bit first)");
        var image = new Image(eight.Width, eight.Height, channels);
        using var view = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC(channels), image.Pointer);
        eight.CopyTo(view);
        return image;
    }

    /// <summary>Throws unless OpenCV has a writer for <paramref name="path"/>'s extension.</summary>
    public static void CheckWritable(string path)
    {
        if (Path.GetExtension(path).Length == 0 || !Cv2.HaveImageWriter(path))
            throw new InputFileException($"cannot write '{path}': unknown image type '{Path.GetExtension(path)}' (use .png, .pgm, .jpg, .bmp, .tif, .txt or .csv)");
    }

    /// <summary>Writes <paramref name="image"/> whole under the output rule: encoded in memory, then a partial file moved into place, so a failed write leaves nothing and says why.</summary>
    public static void Write(Image image, string path, bool overwrite) =>
        Files.OutputPaths.WriteAtomically(path, overwrite, stream => stream.Write(Encode(image, path)));

    /// <summary>The encoded bytes of <paramref name="image"/> in the type <paramref name="path"/>'s extension names (OpenCV's ImWrite reports a failed write only as "false").</summary>
    public static byte[] Encode(Image image, string path)
    {
        using var view = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC(image.Channels), image.Pointer);
        if (!Cv2.ImEncode(Path.GetExtension(path), view, out var bytes)) throw new InputFileException($"OpenCV cannot encode '{path}' as {Path.GetExtension(path)}", 1);
        return bytes;
    }

    private static string DepthName(int depth) => depth switch
    {
        MatType.CV_8S => "signed 8-bit",
        MatType.CV_16S => "signed 16-bit",
        MatType.CV_32S => "32-bit integer",
        MatType.CV_32F => "32-bit float",
        MatType.CV_64F => "64-bit float",
        _ => $"depth {depth}",
    };
}
