using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Files;

/// <summary>The files a spec's parts read and write, for the output rule (<see cref="OutputPaths"/>).</summary>
public static class SpecFiles
{
    /// <summary>The files a source reads.</summary>
    public static IReadOnlyList<string> Inputs(SourceSpec source) => source switch
    {
        FileSourceSpec f => [f.Path],
        ImagesSourceSpec i => ImageSequenceSource.Match(i.Glob),
        _ => [],
    };

    /// <summary>True when <paramref name="sink"/> writes (or may write) the file <paramref name="file"/>.</summary>
    public static bool Writes(SinkSpec sink, string file) => sink switch
    {
        FileSinkSpec f => FileNodes.SameFile(f.Path, file),   // by identity, or by resolved path while neither exists
        ImagesSinkSpec i => ImageSequenceSink.Produces(i.Pattern, file),
        _ => false,
    };
}
