using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Imaging;

namespace VideoConv.Cli.Imaging;

/// <summary>
/// Grey images as text: one row per line, integers 0..255 separated by commas or whitespace (.csv, .txt).
/// A bracketed matrix such as <c>[[1,2],[3,4]]</c> is read too, so examples can be pasted as written.
/// </summary>
public static partial class TextMatrixFile
{
    public const int MaxSide = 16384;

    public static bool IsTextMatrix(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".txt" or ".csv";

    /// <summary>Largest matrix file read (bytes actually read): a 4096×4096 matrix of three-digit values.</summary>
    public const int MaxBytes = 64 << 20;

    public static Image Read(string path)
    {
        var name = SourceLocation.CommandLine(path).File;
        var text = Config.BoundedFile.ReadText(path, MaxBytes, new SourceLocation(name, 1, 1), "a text matrix (.txt/.csv); use a PNG for larger images");
        // Values are checked and stored as bytes line by line: memory stays a fraction of the text, whatever its shape.
        var rows = new List<byte[]>();
        int width = -1;
        bool bracketed = text.TrimStart().StartsWith('[');
        int lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#')) continue;
            var segments = bracketed
                ? Bracket().Matches(line).Select(m => (m.Groups[1].Value, m.Groups[1].Index))
                : line.Trim().Length == 0 ? [] : [(line, 0)];
            foreach (var (segment, offset) in segments)
            {
                var cells = Cell().Matches(segment);
                if (cells.Count == 0) continue;
                if (rows.Count == MaxSide) throw new ConfigException(new SourceLocation(name, lineNumber, 1), $"the matrix has more than {MaxSide} rows");
                if (width < 0)
                {
                    if (cells.Count > MaxSide) throw new ConfigException(new SourceLocation(name, lineNumber, 1), $"row 1 has more than {MaxSide} values");
                    width = cells.Count;
                }
                else if (cells.Count != width)
                    throw new ConfigException(new SourceLocation(name, lineNumber, offset + 1), $"the matrix is ragged: row {rows.Count + 1} has {cells.Count} values, row 1 has {width}");
                var row = new byte[width];
                for (int x = 0; x < width; x++)
                {
                    var cell = cells[x];
                    if (!int.TryParse(cell.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v is < 0 or > 255)
                        throw new ConfigException(new SourceLocation(name, lineNumber, offset + cell.Index + 1), $"'{cell.Value}' is not a whole number from 0 to 255");
                    row[x] = (byte)v;
                }
                rows.Add(row);
            }
        }
        if (rows.Count == 0) throw new ConfigException(new SourceLocation(name, 1, 1), "the matrix has no values");
        var image = new Image(width, rows.Count, 1);
        for (int y = 0; y < rows.Count; y++)
            for (int x = 0; x < width; x++) image.At(y, x, 0) = rows[y][x];
        return image;
    }

    /// <summary>A one-channel image as text; <c>.csv</c> separates values with commas, <c>.txt</c> with spaces.</summary>
    public static byte[] Encode(Image image, string path)
    {
        if (image.Channels != 1)
            throw new InputFileException($"'{path}': a text matrix holds a grey image, the result has {image.Channels} channels (write a .png instead)");
        var separator = Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "," : " ";
        var sb = new StringBuilder();
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (x > 0) sb.Append(separator);
                sb.Append(image.At(y, x, 0).ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [GeneratedRegex(@"\[([^\[\]]*)\]")]
    private static partial Regex Bracket();

    [GeneratedRegex(@"[^\s,;]+")]
    private static partial Regex Cell();
}
