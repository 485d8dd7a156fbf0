using VideoConv.Cli.Verbs;

namespace VideoConv.Cli.Batch;

/// <summary>A long input split into segments: where its pieces live and what they join into.</summary>
internal sealed class SegmentedFile
{
    public required string Name { get; init; }
    public required string Input { get; init; }
    /// <summary><c>DIR/.videoconv/segments/NAME</c>: the processed segments, until they are joined.</summary>
    public required string Folder { get; init; }
    /// <summary>The outputs an unsplit run would write (one per file sink).</summary>
    public required IReadOnlyList<string> FinalOutputs { get; init; }
    public required IReadOnlyList<SegmentCut> Cuts { get; init; }
    public List<WorkItem> Items { get; } = [];

    public bool IsJoined => FinalOutputs.All(File.Exists);

    public string CutPath(int index) => Path.Combine(Folder, "cut", $"seg-{index:D5}.mkv");
}

/// <summary>
/// One unit of a batch that some shard does: a whole input, or one segment of a long one. <see cref="Key"/> (the
/// input's path relative to its folder argument, plus the segment number) alone decides the shard.
/// </summary>
internal sealed class WorkItem
{
    public required string Id { get; init; }
    public required string Key { get; init; }
    public required BatchJob Job { get; init; }
    public SegmentedFile? File { get; init; }
    public SegmentCut? Cut { get; init; }

    public string Input => File?.Input ?? Job.Input;
    public IReadOnlyList<string> Outputs => Job.Outputs;

    /// <summary>Finished: every output is in place (outputs appear only when complete), or its file is already joined.</summary>
    public bool IsDone => Job.Outputs.All(o => System.IO.File.Exists(o) || Directory.Exists(o)) || File?.IsJoined == true;
}
