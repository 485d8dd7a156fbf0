using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Verbs;

/// <summary>The verbs of <c>videoconv</c>, in help order. A new verb is one more line here (its options live in its own <see cref="VerbDefinition"/>).</summary>
internal static class VerbRegistry
{
    public static IReadOnlyList<VerbDefinition> All { get; } =
    [
        RunVerb.Definition,
        BatchVerb.Definition,
        BatchReportVerb.Definition,
        JoinVerb.Definition,
        ImageVerb.Definition,
        ValidateVerb.Definition,
        FiltersVerb.Definition,
        BenchVerb.Definition,
        CompletionVerb.Definition,
    ];
}
