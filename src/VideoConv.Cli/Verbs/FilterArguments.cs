using VideoConv.Cli.Config;
using VideoConv.Cli.Filters;
using VideoConv.Cli.Yaml;

namespace VideoConv.Cli.Verbs;

/// <summary>Chain steps from <c>--filter</c> values: a built-in name, a filter file, or an inline YAML mapping.</summary>
internal static class FilterArguments
{
    public static IReadOnlyList<ChainStep> Read(IReadOnlyList<string> values)
    {
        var steps = new List<ChainStep>();
        for (int i = 0; i < values.Count; i++)
        {
            var value = values[i].Trim();
            var origin = values.Count == 1 ? "--filter" : $"--filter #{i + 1}";
            if (value.StartsWith('{'))
            {
                // Inline: --filter '{kernel: [[1,2,1],[0,1,0],[2,1,0]], padding: 0}'; located as line 1 of the option.
                var node = SafeYamlReader.ReadText(value, origin);
                var def = FilterFileReader.Read(node.AsMapping("an inline filter"), "inline");
                steps.Add(new ChainStep(def, node.Location));
                continue;
            }
            var at = SourceLocation.CommandLine(origin);
            steps.Add(new ChainStep(FilterLibrary.Load(value, Environment.CurrentDirectory, at), at));
        }
        return steps;
    }
}
