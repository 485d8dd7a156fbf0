using VideoConv.Core.Filters;

namespace VideoConv.Cli.Config;

/// <summary>One chain step as read from a config: the definition and where it was written.</summary>
public sealed record ChainStep(FilterDefinition Definition, SourceLocation Location);

/// <summary>
/// A pipeline config as read from YAML: the <see cref="PipelineSpec"/> parts, each source and sink carrying its
/// <see cref="SpecOrigin"/> (set once by the reader or the command-line override), so an error found later —
/// by the validator, by a stage — is reported at the line that caused it.
/// </summary>
public sealed record PipelineConfig
{
    /// <summary>The file as messages name it.</summary>
    public required string File { get; init; }

    /// <summary>The folder relative paths in the config resolve against.</summary>
    public required string Directory { get; init; }

    public required SourceSpec Source { get; init; }
    /// <summary>The chain: of the BGR frames, or with <c>space: yuv</c> of the Y plane.</summary>
    public required IReadOnlyList<ChainStep> Chain { get; init; }

    /// <summary><c>space:</c> — BGR frames (default) or the decoder's YUV planes.</summary>
    public PixelSpace Space { get; init; } = PixelSpace.Bgr;

    /// <summary>Where <c>space:</c>'s value was written; null when absent.</summary>
    public SourceLocation? SpaceLocation { get; init; }

    /// <summary>With <c>space: yuv</c>: the U and V planes' chains (<c>planes: all</c> or <c>chain: {u:, v:}</c>); empty: passed through.</summary>
    public IReadOnlyList<ChainStep> UChain { get; init; } = [];

    /// <inheritdoc cref="UChain"/>
    public IReadOnlyList<ChainStep> VChain { get; init; } = [];
    public required IReadOnlyList<SinkSpec> Sinks { get; init; }
    public required SourceLocation RootLocation { get; init; }

    /// <summary><c>threads:</c> — threads for the filter chain; null: one per core (<c>--threads</c> overrides it).</summary>
    public int? Threads { get; init; }

    /// <summary>Where the source was written.</summary>
    public SourceLocation SourceLocation => Source.Origin?.At ?? RootLocation;

    /// <summary>Where sink <paramref name="index"/> was written.</summary>
    public SourceLocation SinkLocation(int index) => Sinks[index].Origin?.At ?? RootLocation;

    public PipelineSpec ToSpec() => new(Source, Chain.Select(s => s.Definition).ToList(), Sinks)
    {
        Origin = new SpecOrigin(RootLocation),
        ChainOrigins = Chain.Select(s => new SpecOrigin(s.Location)).ToList(),
        Space = Space,
        SpaceOrigin = SpaceLocation is { } at ? new SpecOrigin(at) : null,
        U = Plane(UChain),
        V = Plane(VChain),
    };

    private static PlaneChain Plane(IReadOnlyList<ChainStep> steps) =>
        steps.Count == 0 ? PlaneChain.None : new(steps.Select(s => s.Definition).ToList(), steps.Select(s => new SpecOrigin(s.Location)).ToList());
}
