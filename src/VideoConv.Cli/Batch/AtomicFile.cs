using System.Text;
using VideoConv.Pipeline.Files;

namespace VideoConv.Cli.Batch;

/// <summary>Small state files (shard reports, plans) written whole or not at all, under the output rule's atomic write.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        // State files of our own, rewritten as the work goes on: replacing the previous version is the point.
        OutputPaths.WriteAtomically(path, overwrite: true, stream => stream.Write(bytes));
    }
}
