using System.Text.Json;

namespace VideoConv.Cli.Batch;

/// <summary>What happened to one work item on its shard.</summary>
public sealed class ItemReport
{
    public const string Pending = "pending", Running = "running", Done = "done", Failed = "failed";

    public required string Id { get; init; }
    public required string Key { get; init; }
    public required string Input { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }
    /// <summary>For a segment: the joined file's name, its outputs and the segment's place in it.</summary>
    public string? File { get; init; }
    public IReadOnlyList<string>? FinalOutputs { get; init; }
    public int? Segment { get; init; }
    public int? Segments { get; init; }
    public double? StartSeconds { get; init; }
    public double? EndSeconds { get; init; }

    public string Status { get; set; } = Pending;
    /// <summary>Done by an earlier run of this shard (skipped by --resume).</summary>
    public bool Resumed { get; set; }
    public int Attempts { get; set; }
    public long? Frames { get; set; }
    public double? Seconds { get; set; }
    public double? Fps { get; set; }
    public string? Reason { get; set; }
}

/// <summary>A joined segmented file.</summary>
public sealed class JoinReport
{
    public required string File { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }
    public required string Status { get; set; }
    public string? Reason { get; set; }
}

/// <summary>
/// <c>DIR/.videoconv/shard-I-of-N.json</c>: one shard's items, frames, failures and timings; rewritten whole
/// (atomically) after every item, so a killed shard leaves a consistent report and a rerun knows where it was.
/// </summary>
public sealed class ShardReport
{
    public int Version { get; init; } = 1;
    public required int Shard { get; init; }
    public required int Shards { get; init; }
    public required string PlanDigest { get; init; }
    /// <summary>Work items of the whole batch (all shards).</summary>
    public required int TotalItems { get; init; }
    public string Host { get; init; } = Environment.MachineName;
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset Updated { get; set; }
    public DateTimeOffset? Finished { get; set; }
    public int Runs { get; set; }
    public List<ItemReport> Items { get; init; } = [];
    public List<JoinReport> Joins { get; init; } = [];

    public static string FileName(ShardSpec shard) => $"shard-{shard.Index}-of-{shard.Count}.json";

    public static string PathFor(string outDir, ShardSpec shard) => Path.Combine(WorkPlan.StateFolder(outDir), FileName(shard));

    /// <summary>The report at <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
    public static ShardReport? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), BatchJson.Default.ShardReport) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        Updated = DateTimeOffset.UtcNow;
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, BatchJson.Default.ShardReport));
    }
}
