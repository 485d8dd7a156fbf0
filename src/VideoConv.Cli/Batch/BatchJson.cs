using System.Text.Json.Serialization;

namespace VideoConv.Cli.Batch;

/// <summary>
/// The batch's JSON files (shard reports, join specs, the merged report): snake_case, indented, nulls left out.
/// Generated at build time, so a native AOT build reads and writes them without reflection.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ShardReport))]
[JsonSerializable(typeof(JoinSpec))]
[JsonSerializable(typeof(MergedReport))]
internal sealed partial class BatchJson : JsonSerializerContext;

/// <summary>A file's cached segment cuts (<see cref="WorkPlan"/>), in the form earlier builds wrote them.</summary>
[JsonSerializable(typeof(WorkPlan.CutCache))]
internal sealed partial class CutCacheJson : JsonSerializerContext;
