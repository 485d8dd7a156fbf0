using System.Globalization;
using System.Text.RegularExpressions;

namespace VideoConv.Cli.Yaml;

/// <summary>Typed reads of YAML values; every failure is a <see cref="ConfigException"/> at the value.</summary>
public static partial class NodeValues
{
    public static YMapping AsMapping(this YNode node, string what) =>
        node as YMapping ?? throw new ConfigException(node.Location, $"{what} must be a mapping (key: value lines), got {node.Describe()}");

    public static YSequence AsSequence(this YNode node, string what) =>
        node as YSequence ?? throw new ConfigException(node.Location, $"{what} must be a list, got {node.Describe()}");

    public static YScalar AsScalar(this YNode node, string what) =>
        node as YScalar ?? throw new ConfigException(node.Location, $"{what} must be a single value, got {node.Describe()}");

    public static string AsString(this YNode node, string what)
    {
        var s = node.AsScalar(what);
        if (s.IsNull) throw new ConfigException(node.Location, $"{what} needs a value");
        return s.Value;
    }

    /// <summary>A finite number; also accepts a fraction such as <c>1/16</c>.</summary>
    public static double AsNumber(this YNode node, string what)
    {
        var s = node.AsScalar(what);
        var text = s.Value.Trim();
        if (s.IsNull) throw new ConfigException(node.Location, $"{what} needs a number");
        double value;
        if (text is ".nan" or ".NaN" or ".NAN") value = double.NaN;
        else if (text is ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF") value = double.PositiveInfinity;
        else if (text is "-.inf" or "-.Inf" or "-.INF") value = double.NegativeInfinity;
        else if (Fraction().Match(text) is { Success: true } m)
        {
            double num = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), den = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (den == 0) throw new ConfigException(node.Location, $"{what}: '{text}' divides by zero");
            value = num / den;
        }
        else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            throw new ConfigException(node.Location, $"{what}: {s.Describe()} is not a number");
        if (!double.IsFinite(value) || Math.Abs(value) > 1e30)
            throw new ConfigException(node.Location, $"{what}: '{text}' is not a finite number");
        return value;
    }

    public static int AsInt(this YNode node, string what, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = node.AsScalar(what);
        if (s.IsNull || !long.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw new ConfigException(node.Location, $"{what} must be a whole number, got {s.Describe()}");
        if (v < min) throw new ConfigException(node.Location, $"{what} must be at least {min}, got {v}");
        if (v > max) throw new ConfigException(node.Location, $"{what} must be at most {max}, got {v}");
        return (int)v;
    }

    public static bool AsBool(this YNode node, string what)
    {
        var s = node.AsScalar(what);
        return s.Value.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw new ConfigException(node.Location, $"{what} must be true or false, got {s.Describe()}"),
        };
    }

    /// <summary>A value from a fixed set, with a suggestion when it is misspelt.</summary>
    public static string AsChoice(this YNode node, string what, IReadOnlyCollection<string> choices)
    {
        var v = node.AsString(what);
        if (choices.Contains(v)) return v;
        throw new ConfigException(node.Location,
            $"{what}: unknown value '{v}'{NameSuggestions.Hint(v, choices)} (one of: {string.Join(", ", choices)})");
    }

    /// <summary>A list of numbers, at most <paramref name="maxLength"/> long (checked before anything is allocated).</summary>
    public static float[] AsVector(this YNode node, string what, int maxLength)
    {
        var seq = node.AsSequence(what);
        if (seq.Count == 0) throw new ConfigException(node.Location, $"{what} is empty");
        if (seq.Count > maxLength) throw new ConfigException(node.Location, $"{what} has {seq.Count} values, more than the {maxLength} limit");
        var v = new float[seq.Count];
        for (int i = 0; i < v.Length; i++) v[i] = (float)seq[i].AsNumber($"{what} value {i + 1}");
        return v;
    }

    /// <summary>Rejects keys not in <paramref name="known"/>, suggesting the closest.</summary>
    public static void CheckKeys(this YMapping map, string where, IReadOnlyCollection<string> known)
    {
        foreach (var (key, _) in map.Entries)
            if (!known.Contains(key.Value))
                throw new ConfigException(key.Location, $"unknown key '{key.Value}' in {where}{NameSuggestions.Hint(key.Value, known)}");
    }

    [GeneratedRegex(@"^([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)$")]
    private static partial Regex Fraction();
}
