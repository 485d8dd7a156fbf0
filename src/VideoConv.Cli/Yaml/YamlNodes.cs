namespace VideoConv.Cli.Yaml;

/// <summary>A YAML node with the place it starts; the tree the config readers walk.</summary>
public abstract class YNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>What kind of node this is, for messages ("a list", "a mapping", "'abc'").</summary>
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="IsPlain"/> is false for quoted or block scalars.</summary>
public sealed class YScalar(SourceLocation location, string value, bool isPlain) : YNode(location)
{
    public string Value { get; } = value;
    public bool IsPlain { get; } = isPlain;

    /// <summary>A plain <c>~</c>, <c>null</c> or empty value.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "an empty value" : $"'{Truncate(Value)}'";

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";
}

/// <summary>A YAML list.</summary>
public sealed class YSequence(SourceLocation location, IReadOnlyList<YNode> items) : YNode(location)
{
    public IReadOnlyList<YNode> Items { get; } = items;
    public int Count => Items.Count;
    public YNode this[int i] => Items[i];
    public override string Describe() => "a list";
}

/// <summary>A YAML mapping with scalar keys, in file order (duplicate keys are refused when reading).</summary>
public sealed class YMapping(SourceLocation location, IReadOnlyList<KeyValuePair<YScalar, YNode>> entries) : YNode(location)
{
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;

    public YNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public YScalar? KeyNode(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;

    public bool Has(string key) => Entries.Any(e => e.Key.Value == key);

    public IEnumerable<string> Keys => Entries.Select(e => e.Key.Value);

    public override string Describe() => "a mapping";

    /// <summary>This mapping with <paramref name="overrides"/> laid over it: their keys replace ours, the rest keep their place.</summary>
    public YMapping With(IEnumerable<KeyValuePair<YScalar, YNode>> overrides, Func<string, bool>? drop = null)
    {
        var over = overrides.ToList();
        var kept = Entries.Where(e => over.All(o => o.Key.Value != e.Key.Value) && !(drop?.Invoke(e.Key.Value) ?? false));
        return new YMapping(Location, kept.Concat(over).ToList());
    }
}
