namespace VideoConv.Cli.CommandLine;

/// <summary>An option of a verb: a flag (no <see cref="ValueName"/>) or an option taking a value.</summary>
public sealed record OptionSpec(string Name, string? ValueName, string Help, bool Repeatable = false, string? Alias = null)
{
    public bool IsFlag => ValueName is null;
}

/// <summary>A positional argument; <see cref="Many"/> takes all remaining ones (at least one).</summary>
public sealed record ArgumentSpec(string Name, string Help, bool Many = false, bool Optional = false);

/// <summary>One <c>videoconv VERB</c>: its syntax, help and handler.</summary>
public sealed record VerbDefinition(
    string Name,
    string Summary,
    IReadOnlyList<ArgumentSpec> Arguments,
    IReadOnlyList<OptionSpec> Options,
    Func<ParsedArguments, CancellationToken, Task<int>> Handler,
    string? Details = null);

/// <summary>A command line the user got wrong: printed with a pointer to <c>--help</c>, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
