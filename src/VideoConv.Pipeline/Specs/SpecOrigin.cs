namespace VideoConv.Pipeline.Specs;

/// <summary>A place in a config file (1-based line and column), as compilers report it; line 0 names only the origin (e.g. a command-line option).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for something given on the command line, such as <c>--input</c>.</summary>
    public static SourceLocation CommandLine(string option) => new(option, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>
/// Where a part of a spec was written: the YAML node (or command-line option) it came from, and where each of
/// its keys was written (<c>codec</c> of a file sink…). Resolved once when the config is read, so an error found
/// later (by the validator, by a stage) is reported at its line without recovering the place from text.
/// </summary>
public sealed record SpecOrigin(SourceLocation At, IReadOnlyDictionary<string, SourceLocation>? Keys = null)
{
    /// <summary>Where <paramref name="key"/> was written, else the part itself.</summary>
    public SourceLocation Of(string key) => Keys is not null && Keys.TryGetValue(key, out var at) ? at : At;
}
