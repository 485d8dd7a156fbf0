using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Imaging;

namespace VideoConv.Cli.Imaging;

/// <summary>The image verb's files: text matrices (.txt, .csv) here, every other image type through <see cref="StillImages"/> (OpenCV, in Pipeline).</summary>
public static class ImageFiles
{
    /// <summary>Reads <paramref name="path"/> keeping its channel count (a grey image stays grey).</summary>
    public static Image Read(string path, Action<string> note)
    {
        if (Directory.Exists(path)) throw new InputFileException($"'{path}' is a folder, not an image");
        if (!File.Exists(path)) throw new InputFileException($"input '{path}' does not exist");
        return TextMatrixFile.IsTextMatrix(path) ? TextMatrixFile.Read(path) : StillImages.Read(path, note);
    }

    /// <summary>Throws unless <paramref name="path"/> can be written: its folder exists and its type is known.</summary>
    public static void CheckWritable(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new InputFileException($"cannot write '{path}': folder '{folder}' does not exist");
        if (Directory.Exists(path)) throw new InputFileException($"cannot write '{path}': it is a folder");
        if (!TextMatrixFile.IsTextMatrix(path)) StillImages.CheckWritable(path);
    }

    /// <summary>Writes <paramref name="image"/> whole (a partial file moved into place), so a failed write leaves nothing and says why.</summary>
    public static void Write(Image image, string path, bool overwrite)
    {
        if (TextMatrixFile.IsTextMatrix(path))
            VideoConv.Pipeline.Files.OutputPaths.WriteAtomically(path, overwrite, stream => stream.Write(TextMatrixFile.Encode(image, path)));
        else StillImages.Write(image, path, overwrite);
    }
}
