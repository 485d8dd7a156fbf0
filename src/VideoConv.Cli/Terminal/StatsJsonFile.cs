using System.Text.Json;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// Writes run statistics as JSON (<c>--stats-json</c>). Kept in the CLI until the pipeline's own
/// <c>StatsJson.Write</c> lands; the keys are the ones agreed with it.
/// </summary>
public static class StatsJsonFile
{
    public static void Write(PipelineStats stats, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("frames_in", stats.FramesIn);
        json.WriteNumber("frames_out", stats.FramesOut);
        json.WriteNumber("dropped", stats.Dropped);
        json.WriteNumber("fps", Round(stats.Fps));
        json.WriteNumber("elapsed_s", Round(stats.ElapsedSeconds));
        json.WriteStartObject("latency_ms");
        json.WriteNumber("p50", Round(stats.LatencyP50Ms));
        json.WriteNumber("p99", Round(stats.LatencyP99Ms));
        json.WriteEndObject();
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
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 3) : 0;
}
