using VideoConv.Core.Filters;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline;

/// <summary>Source → filter chain → sinks, connected by bounded channels. (Signatures fixed; implementation in progress.)</summary>
public sealed class VideoPipeline : IAsyncDisposable
{
    public VideoPipeline(PipelineSpec spec, PipelineOptions options)
    {
        Spec = spec;
        Options = options;
    }

    public PipelineSpec Spec { get; }
    public PipelineOptions Options { get; }

    /// <summary>Checks everything that can be checked before the first frame; throws <see cref="PipelineSpecException"/>.</summary>
    public static void Validate(PipelineSpec spec, bool overwrite) => throw new NotImplementedException();

    /// <summary>Runs to the end of the source, or until cancelled (outputs are finalized either way); throws <see cref="PipelineStageException"/> naming the failed stage.</summary>
    public Task<PipelineStats> RunAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Swaps the filter chain between two frames; throws <see cref="VideoConv.Core.FilterDefinitionException"/> (keeping the old chain) if the new one cannot apply to the current frames.</summary>
    public void ReplaceChain(IReadOnlyList<FilterDefinition> chain) => throw new NotImplementedException();

    /// <summary>Current statistics.</summary>
    public PipelineStats Snapshot() => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Encoders the file sink can use, by FOURCC, and the default per extension.</summary>
public static class Codecs
{
    /// <summary>FOURCCs the bundled encoders accept here.</summary>
    public static IReadOnlyList<string> Known { get; } = ["mp4v", "MJPG", "XVID", "FFV1"];

    /// <summary>The FOURCC for <paramref name="path"/>: <paramref name="codec"/> if given and known, else the extension's default; throws <see cref="PipelineSpecException"/> otherwise (H.264 gets its own explanation).</summary>
    public static string Resolve(string path, string? codec) => throw new NotImplementedException();
}
