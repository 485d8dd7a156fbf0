namespace VideoConv.Cli.Yaml;

/// <summary>A place in a YAML file (1-based line and column), as compilers report it; line 0 names only the origin (e.g. a command-line option).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for something given on the command line, such as <c>--input</c>.</summary>
    public static SourceLocation CommandLine(string option) => new(option, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>A user mistake in a config or filter file, located at the offending key or value.</summary>
public sealed class ConfigException(SourceLocation location, string message, Exception? inner = null) : Exception(message, inner)
{
    public SourceLocation Location { get; } = location;

    /// <summary>The compiler-style line: <c>FILE:LINE:COL: error: MESSAGE</c>.</summary>
    public string Formatted => $"{Location}: error: {Message}";
}
