namespace VideoConv.Cli.CommandLine;

/// <summary>An option of a verb: a flag (no <see cref="ValueName"/>) or an option taking a value.</summary>
/// <param name="Completions">Values offered by shell completion (<c>[suggest]</c>), e.g. the built-in filter names.</param>
public sealed record OptionSpec(string Name, string? ValueName, string Help, bool Repeatable = false, string? Alias = null,
    Func<IEnumerable<string>>? Completions = null)
{
    public bool IsFlag => ValueName is null;
}

/// <summary>A positional argument; <see cref="Many"/> takes all remaining ones (at least one unless <see cref="Optional"/>).</summary>
public sealed record ArgumentSpec(string Name, string Help, bool Many = false, bool Optional = false, Func<IEnumerable<string>>? Completions = null);

/// <summary>
/// One <c>videoconv VERB</c>: its syntax, help and handler, as data. <see cref="CommandTree"/> turns it into a
/// System.CommandLine command, so a new option is one more <see cref="OptionSpec"/> line in the verb's definition.
/// </summary>
public sealed record VerbDefinition(
    string Name,
    string Summary,
    IReadOnlyList<ArgumentSpec> Arguments,
    IReadOnlyList<OptionSpec> Options,
    Func<ParsedArguments, CancellationToken, Task<int>> Handler,
    string? Details = null);

/// <summary>A command line the user got wrong: printed with a pointer to <c>--help</c>, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
