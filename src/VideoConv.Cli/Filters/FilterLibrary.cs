using System.Reflection;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Filters;

namespace VideoConv.Cli.Filters;

/// <summary>
/// The built-in filters (filters/*.yaml, embedded in the assembly so the binary works from any folder)
/// and the lookup of a <c>filter:</c> value, which is a built-in name or a path to a filter file.
/// </summary>
public static class FilterLibrary
{
    private const string Prefix = "filters/";
    private static readonly Assembly Self = typeof(FilterLibrary).Assembly;

    /// <summary>Names of the built-in filters, sorted.</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } = Self.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>True when <paramref name="value"/> names a file rather than a built-in filter.</summary>
    public static bool LooksLikePath(string value) =>
        value.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || value.Contains('/') || value.Contains('\\');

    /// <summary>
    /// The root mapping of the filter <paramref name="reference"/> names, and its default name. Relative paths
    /// resolve against <paramref name="baseDirectory"/>; errors are located at <paramref name="at"/>.
    /// </summary>
    public static (YMapping Map, string DefaultName) Open(string reference, string baseDirectory, SourceLocation at)
    {
        if (LooksLikePath(reference))
        {
            var path = Path.GetFullPath(reference, baseDirectory);
            if (!File.Exists(path))
                throw new ConfigException(at, $"filter file '{reference}' does not exist (looked for {path})");
            var root = SafeYamlReader.ReadFile(path, DisplayPath(path));
            return (root.AsMapping("a filter file"), Path.GetFileNameWithoutExtension(path));
        }
        var text = BuiltinText(reference)
            ?? throw new ConfigException(at, $"unknown filter '{reference}'{NameSuggestions.Hint(reference, BuiltinNames)} (see 'videoconv filters'; a path to a .yaml file works too)");
        return (SafeYamlReader.ReadText(text, Prefix + reference + ".yaml").AsMapping("a filter file"), reference);
    }

    /// <summary>Reads a built-in filter or filter file as it stands, with no overrides.</summary>
    public static FilterDefinition Load(string reference, string baseDirectory, SourceLocation at)
    {
        var (map, name) = Open(reference, baseDirectory, at);
        return FilterFileReader.Read(map, name);
    }

    /// <summary>The YAML text of a built-in filter, or null.</summary>
    public static string? BuiltinText(string name)
    {
        using var stream = Self.GetManifestResourceStream(Prefix + name + ".yaml");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A path as messages show it: relative to the current folder when it lies below it.</summary>
    public static string DisplayPath(string fullPath)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? fullPath : rel;
    }
}
