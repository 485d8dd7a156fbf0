using System.Text.RegularExpressions;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Filters;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Config;

/// <summary>One chain step as read from a config: the definition and where it was written.</summary>
public sealed record ChainStep(FilterDefinition Definition, SourceLocation Location);

/// <summary>
/// A pipeline config as read from YAML: the <see cref="PipelineSpec"/> parts plus where each was written, so
/// errors found later (by Core, by the pipeline) can be reported at the offending line.
/// </summary>
public sealed partial record PipelineConfig
{
    /// <summary>The file as messages name it.</summary>
    public required string File { get; init; }

    /// <summary>The folder relative paths in the config resolve against.</summary>
    public required string Directory { get; init; }

    public required SourceSpec Source { get; init; }
    public required SourceLocation SourceLocation { get; init; }
    public required IReadOnlyList<ChainStep> Chain { get; init; }
    public required IReadOnlyList<SinkSpec> Sinks { get; init; }
    public required IReadOnlyList<SourceLocation> SinkLocations { get; init; }
    public required SourceLocation RootLocation { get; init; }

    public PipelineSpec ToSpec() => new(Source, Chain.Select(s => s.Definition).ToList(), Sinks);

    /// <summary>Where the part named by a <see cref="PipelineSpecException.Subject"/> ("source", "sinks[1]", "chain[0]") was written.</summary>
    public SourceLocation Locate(string subject)
    {
        var m = SubjectPattern().Match(subject);
        if (!m.Success) return RootLocation;
        int index = m.Groups[2].Success ? int.Parse(m.Groups[2].Value) : -1;
        return m.Groups[1].Value switch
        {
            "source" => SourceLocation,
            "chain" when index >= 0 && index < Chain.Count => Chain[index].Location,
            "sinks" or "sink" when index >= 0 && index < Sinks.Count => SinkLocations[index],
            "sinks" or "sink" when Sinks.Count == 1 => SinkLocations[0],
            _ => RootLocation,
        };
    }

    [GeneratedRegex(@"^\s*(source|chain|sinks|sink)(?:\s*\[(\d+)\])?")]
    private static partial Regex SubjectPattern();
}
