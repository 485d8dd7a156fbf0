using System.Text.Json.Serialization;

namespace VideoConv.Cli.Bench;

/// <summary><c>bench --pipeline --json</c>: one row per job.</summary>
internal sealed record PipelineRunEntry(string Job, long Frames, double Seconds, double Fps);

/// <summary><c>bench --json</c>: the machine, one row per operation, and each chain's cost per step.</summary>
internal sealed record EngineBenchReport(BenchMachine Machine, IReadOnlyList<EngineBenchRow> Rows, IReadOnlyList<PerStepRow> PerStep);

internal sealed record BenchMachine(string Cpu, int Cores, string Vectors, int EngineVectorBits, int Threads, int SourceFrames);

internal sealed record EngineBenchRow(string Operation, string Frame, double OursMs, double OpencvMs, double? OpencvAloneMs, bool? CheckOk,
    double Ratio, int MaxDiff, string Path, int Steps);

internal sealed record PerStepRow(string Operation, int Steps, double OursPerStepMs, double SingleStepMs, double RatioToSingle);

/// <summary>The bench's JSON, generated at build time (no reflection, so a native AOT build writes it too).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<PipelineRunEntry>))]
[JsonSerializable(typeof(EngineBenchReport))]
internal sealed partial class BenchJson : JsonSerializerContext;
