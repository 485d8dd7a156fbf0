using System.CommandLine;
using System.Globalization;

namespace VideoConv.Cli.CommandLine;

/// <summary>The arguments of one verb as System.CommandLine parsed them, read by the names of its <see cref="VerbDefinition"/>.</summary>
public sealed class ParsedArguments
{
    private readonly ParseResult _result;
    private readonly IReadOnlyDictionary<string, Symbol> _symbols;

    internal ParsedArguments(VerbDefinition verb, ParseResult result, IReadOnlyDictionary<string, Symbol> symbols)
    {
        Verb = verb;
        _result = result;
        _symbols = symbols;
    }

    public VerbDefinition Verb { get; }

    /// <summary>True when the flag was given (at least once).</summary>
    public bool Flag(string name) => Count(name) > 0;

    /// <summary>How many times a flag was given: <c>-vv</c> counts 2.</summary>
    public int Count(string name) =>
        _symbols.TryGetValue(name, out var s) && s is Option o && _result.GetResult(o) is { Implicit: false } r ? Math.Max(1, r.IdentifierTokenCount) : 0;

    public string? Value(string name) => _symbols.TryGetValue(name, out var s) switch
    {
        true when s is Option<string> o => _result.GetValue(o),
        true when s is Option<string[]> m => _result.GetValue(m) is { Length: > 0 } v ? v[^1] : null,
        _ => null,
    };

    public IReadOnlyList<string> Values(string name) => _symbols.TryGetValue(name, out var s) switch
    {
        true when s is Option<string[]> m => _result.GetValue(m) ?? [],
        true when s is Option<string> o => _result.GetValue(o) is { } v ? [v] : [],
        _ => [],
    };

    public int? Int(string name, int min, int max)
    {
        var text = Value(name);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, got '{text}'");
        return v;
    }

    public string Argument(string name) => Arguments(name).FirstOrDefault() ?? throw new UsageException($"missing {name}");

    public IReadOnlyList<string> Arguments(string name) => _symbols.TryGetValue(name, out var s) switch
    {
        true when s is Argument<string[]> m => _result.GetValue(m) ?? [],
        true when s is Argument<string> a => _result.GetValue(a) is { } v ? [v] : [],
        _ => [],
    };
}
