namespace VideoConv.Cli.Config;

/// <summary>Turns command-line inputs (files, folders, globs) into a sorted list of files.</summary>
public static class InputExpansion
{
    /// <summary>Files matching <paramref name="pattern"/>: wildcards (* and ?) in the last path segment only.</summary>
    public static IReadOnlyList<string> Glob(string pattern)
    {
        var full = Path.GetFullPath(pattern);
        var dir = Path.GetDirectoryName(full);
        var name = Path.GetFileName(full);
        if (dir is null || !Directory.Exists(dir) || name.Length == 0) return [];
        if (dir.IndexOfAny(['*', '?']) >= 0) return [];
        return Directory.EnumerateFiles(dir, name, SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToList();
    }

    public static bool HasWildcards(string path) => path.IndexOfAny(['*', '?']) >= 0;

    /// <summary>
    /// Each input as files: a file stays itself (missing ones too, so they are reported), a folder gives its
    /// files, a glob its matches (or itself when nothing matches, so the miss is reported).
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs) => Expand(inputs, out _);

    /// <summary>
    /// File name extensions a folder's file must have to be taken as a video (a file or glob named on the command
    /// line is taken as given, so a wrong one is reported rather than skipped).
    /// </summary>
    public static readonly IReadOnlySet<string> VideoExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts", ".mts", ".flv", ".wmv", ".ogv", ".3gp", ".y4m", ".mxf", ".dv",
    };

    /// <inheritdoc cref="Expand(IEnumerable{string})"/>
    /// <param name="skipped">Files found in a folder that are not videos by their extension (left out, for a note).</param>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, out IReadOnlyList<string> skipped)
    {
        var files = new List<string>();
        var notVideo = new List<string>();
        skipped = notVideo;
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                    (VideoExtensions.Contains(Path.GetExtension(f)) ? files : notVideo).Add(f);
            }
            else if (HasWildcards(input))
            {
                var matches = Glob(input);
                if (matches.Count == 0) files.Add(input);
                else files.AddRange(matches);
            }
            else files.Add(input);
        }
        return files.Select(f => Path.GetFullPath(f)).Distinct().ToList();
    }
}
