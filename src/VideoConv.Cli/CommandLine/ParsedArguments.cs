using System.Globalization;

namespace VideoConv.Cli.CommandLine;

/// <summary>The arguments of one verb, parsed against its <see cref="VerbDefinition"/>.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _positionals = new(StringComparer.Ordinal);

    public VerbDefinition Verb { get; }

    /// <summary>Every --filter / --kernel in command-line order, for options whose relative order matters.</summary>
    public List<(string Option, string Value)> Ordered { get; } = [];

    private ParsedArguments(VerbDefinition verb) => Verb = verb;

    public bool Flag(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _options.TryGetValue(name, out var v) ? v : [];

    public int? Int(string name, int min, int max)
    {
        var text = Value(name);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, got '{text}'");
        return v;
    }

    public string Argument(string name) => _positionals[name][0];

    public IReadOnlyList<string> Arguments(string name) => _positionals.TryGetValue(name, out var v) ? v : [];

    private static string OptionHint(string name, VerbDefinition verb)
    {
        var best = Yaml.NameSuggestions.Closest(name, verb.Options.Select(o => o.Name));
        return best.Count == 0 ? "" : $"; did you mean {string.Join(" or ", best.Select(b => $"'--{b}'"))}?";
    }

    /// <summary>Parses <paramref name="args"/> (the words after the verb); throws <see cref="UsageException"/>.</summary>
    public static ParsedArguments Parse(VerbDefinition verb, IReadOnlyList<string> args)
    {
        var parsed = new ParsedArguments(verb);
        var loose = new List<string>();
        bool onlyPositionals = false;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || !arg.StartsWith('-') || arg == "-")
            {
                loose.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            string name = arg.TrimStart('-');
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            var option = verb.Options.FirstOrDefault(o => o.Name == name || o.Alias == name)
                ?? throw new UsageException($"unknown option '{arg}'{OptionHint(name, verb)}");
            string value;
            if (option.IsFlag)
            {
                if (inline is not null) throw new UsageException($"--{option.Name} takes no value");
                value = "true";
            }
            else if (inline is not null) value = inline;
            else if (i + 1 < args.Count) value = args[++i];
            else throw new UsageException($"--{option.Name} needs a value: --{option.Name} {option.ValueName}");
            if (!option.Repeatable && parsed._options.ContainsKey(option.Name) && !option.IsFlag)
                throw new UsageException($"--{option.Name} is given twice");
            if (!parsed._options.TryGetValue(option.Name, out var list)) parsed._options[option.Name] = list = [];
            list.Add(value);
            parsed.Ordered.Add((option.Name, value));
        }
        int next = 0;
        foreach (var spec in verb.Arguments)
        {
            if (spec.Many)
            {
                if (next >= loose.Count && !spec.Optional) throw new UsageException($"missing {spec.Name}");
                parsed._positionals[spec.Name] = loose.Skip(next).ToList();
                next = loose.Count;
                continue;
            }
            if (next >= loose.Count)
            {
                if (spec.Optional) continue;
                throw new UsageException($"missing {spec.Name}");
            }
            parsed._positionals[spec.Name] = [loose[next++]];
        }
        if (next < loose.Count) throw new UsageException($"unexpected argument '{loose[next]}'");
        return parsed;
    }
}
