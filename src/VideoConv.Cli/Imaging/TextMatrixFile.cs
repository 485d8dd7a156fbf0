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

    public static Image Read(string path)
    {
        var name = SourceLocation.CommandLine(path).File;
        var text = File.ReadAllText(path);
        var rows = new List<(int Line, int Column, List<(string Text, int Column)> Cells)>();
        var lines = text.Split('\n');
        bool bracketed = text.TrimStart().StartsWith('[');
        for (int li = 0; li < lines.Length; li++)
        {
            var line = lines[li].TrimEnd('\r');
            if (line.TrimStart().StartsWith('#')) continue;
            var segments = bracketed
                ? Bracket().Matches(line).Select(m => (m.Groups[1].Value, m.Groups[1].Index))
                : line.Trim().Length == 0 ? [] : [(line, 0)];
            foreach (var (segment, offset) in segments)
            {
                var cells = Cell().Matches(segment).Select(m => (m.Value, offset + m.Index + 1)).ToList();
                if (cells.Count > 0) rows.Add((li + 1, offset + 1, cells));
            }
        }
        if (rows.Count == 0) throw new ConfigException(new SourceLocation(name, 1, 1), "the matrix has no values");
        if (rows.Count > MaxSide) throw new ConfigException(new SourceLocation(name, rows[MaxSide].Line, 1), $"the matrix has more than {MaxSide} rows");
        int width = rows[0].Cells.Count;
        if (width > MaxSide) throw new ConfigException(new SourceLocation(name, rows[0].Line, 1), $"row 1 has more than {MaxSide} values");
        var image = new Image(width, rows.Count, 1);
        for (int y = 0; y < rows.Count; y++)
        {
            var (line, column, cells) = rows[y];
            if (cells.Count != width)
                throw new ConfigException(new SourceLocation(name, line, column), $"the matrix is ragged: row {y + 1} has {cells.Count} values, row 1 has {width}");
            for (int x = 0; x < width; x++)
            {
                var (cell, col) = cells[x];
                if (!int.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v is < 0 or > 255)
                    throw new ConfigException(new SourceLocation(name, line, col), $"'{cell}' is not a whole number from 0 to 255");
                image.At(y, x, 0) = (byte)v;
            }
        }
        return image;
    }

    /// <summary>Writes a one-channel image; <c>.csv</c> separates values with commas, <c>.txt</c> with spaces.</summary>
    public static void Write(Image image, string path)
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
        File.WriteAllText(path, sb.ToString());
    }

    [GeneratedRegex(@"\[([^\[\]]*)\]")]
    private static partial Regex Bracket();

    [GeneratedRegex(@"[^\s,;]+")]
    private static partial Regex Cell();
}
