using System.Text;
using VideoConv.Cli.Yaml;
using VideoConv.Pipeline.Files;

namespace VideoConv.Cli.Config;

/// <summary>
/// Reads a text file the user named (a config, a filter file, a text matrix) with a limit on the bytes actually
/// read, not on the length the file system reports: <c>/dev/zero</c>, a FIFO or a file still growing report 0 and
/// would otherwise be read without end. Devices are refused by name.
/// </summary>
public static class BoundedFile
{
    /// <summary>The text of <paramref name="path"/> (UTF-8, or the encoding its byte order mark names); throws <see cref="ConfigException"/> at <paramref name="at"/>.</summary>
    /// <param name="what">What the file is, for messages ("a YAML file", "a text matrix").</param>
    public static string ReadText(string path, int maxBytes, SourceLocation at, string what)
    {
        var kind = FileNodes.KindOf(path);
        if (kind is FileNodeKind.CharacterDevice or FileNodeKind.BlockDevice or FileNodeKind.Socket)
            throw new ConfigException(at, $"'{at.File}' is {FileNodes.Describe(kind)}, not {what}");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
            using var bytes = new MemoryStream();
            int n;
            while ((n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1L - bytes.Length))) > 0)
            {
                bytes.Write(buffer, 0, n);
                if (bytes.Length > maxBytes)
                    throw new ConfigException(at, $"'{at.File}' is over the {Describe(maxBytes)} limit for {what}");
            }
            bytes.Position = 0;
            using var reader = new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(at, $"cannot read '{at.File}': {ex.Message}");
        }
    }

    private static string Describe(int bytes) => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} byte";
}
