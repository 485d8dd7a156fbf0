namespace VideoConv.Cli.Yaml;

/// <summary>A user mistake in a config or filter file, located at the offending key or value.</summary>
public sealed class ConfigException(SourceLocation location, string message, Exception? inner = null) : Exception(message, inner)
{
    public SourceLocation Location { get; } = location;

    /// <summary>The compiler-style line: <c>FILE:LINE:COL: error: MESSAGE</c>.</summary>
    public string Formatted => $"{Location}: error: {Message}";
}
