using System.Text.Json;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline;

/// <summary>Writes <see cref="PipelineStats"/> as JSON (the CLI's <c>--stats-json FILE</c>).</summary>
/// <remarks>
/// Shape: <c>{"frames_in", "frames_out", "dropped", "fps", "latency_ms": {"p50", "p99"}, "elapsed_s",
/// "total_frames", "stopped", "stages": [{"name", "frames", "fps", "busy_ms", "queue_depth", "dropped"}]}</c>; the filter
/// stage also has <c>"steps": [{"step", "filter", "name", "frames", "cpu_ms", "share"}]</c>, one per chain step in order:
/// <c>name</c> is <c>"chain step N (FILTER)"</c> as messages name it, <c>cpu_ms</c> the busy time of every thread that ran
/// the step, summed (CPU time: on n band threads it can reach n × the stage's wall-clock <c>busy_ms</c>), and
/// <c>share</c> the step's fraction of the steps' total CPU time.
/// </remarks>
public static class StatsJson
{
    /// <summary>Writes <paramref name="stats"/> to <paramref name="path"/> (replacing it).</summary>
    public static void Write(PipelineStats stats, string path)
    {
        using var stream = File.Create(path);
        Write(stats, stream);
    }

    /// <summary>Writes <paramref name="stats"/> to <paramref name="stream"/>, indented, UTF-8.</summary>
    public static void Write(PipelineStats stats, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("frames_in", stats.FramesIn);
        json.WriteNumber("frames_out", stats.FramesOut);
        json.WriteNumber("dropped", stats.Dropped);
        json.WriteNumber("fps", Round(stats.Fps));
        json.WriteStartObject("latency_ms");
        json.WriteNumber("p50", Round(stats.LatencyP50Ms));
        json.WriteNumber("p99", Round(stats.LatencyP99Ms));
        json.WriteEndObject();
        json.WriteNumber("elapsed_s", Round(stats.ElapsedSeconds));
        if (stats.TotalFrames is { } total) json.WriteNumber("total_frames", total);
        else json.WriteNull("total_frames");
        json.WriteBoolean("stopped", stats.Stopped);
        json.WriteStartArray("stages");
        foreach (var s in stats.Stages)
        {
            json.WriteStartObject();
            json.WriteString("name", s.Name);
            json.WriteNumber("frames", s.Frames);
            json.WriteNumber("fps", Round(s.Fps));
            json.WriteNumber("busy_ms", Round(s.BusyMs));
            json.WriteNumber("queue_depth", s.QueueDepth);
            json.WriteNumber("dropped", s.Dropped);
            if (s.Steps.Count > 0) WriteSteps(json, s.Steps);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSteps(Utf8JsonWriter json, IReadOnlyList<VideoConv.Core.Convolution.ChainStepTime> steps)
    {
        double total = steps.Sum(t => t.CpuMs);
        json.WriteStartArray("steps");
        foreach (var t in steps)
        {
            json.WriteStartObject();
            json.WriteNumber("step", t.Step + 1);
            json.WriteString("filter", t.Filter);
            json.WriteString("name", StepName(t));
            json.WriteNumber("frames", t.Frames);
            json.WriteNumber("cpu_ms", Round(t.CpuMs));
            json.WriteNumber("share", total > 0 ? Round(t.CpuMs / total) : 0);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>A step as statistics name it: "chain step 2 (sharpen)" (messages say "chain step 2").</summary>
    public static string StepName(VideoConv.Core.Convolution.ChainStepTime step) => $"{PipelineSpec.ChainStepName(step.Step)} ({step.Filter})";

    /// <summary>The JSON text for <paramref name="stats"/>.</summary>
    public static string Serialize(PipelineStats stats)
    {
        using var ms = new MemoryStream();
        Write(stats, ms);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 3) : 0;
}
