using VideoConv.Pipeline.Sinks;
using System.Text.Json;

namespace VideoConv.Cli.Batch;

/// <summary>What <c>videoconv join DIR</c> needs of a segmented file: written beside its segments when planned.</summary>
public sealed record JoinSpec(string Name, string Input, IReadOnlyList<string> FinalOutputs, IReadOnlyList<IReadOnlyList<string>> SegmentOutputs)
{
    public const string FileName = "join.json";

    internal static JoinSpec For(SegmentedFile file) => new(
        file.Name, file.Input, file.FinalOutputs,
        file.FinalOutputs.Select((_, j) => (IReadOnlyList<string>)file.Items.Select(i => i.Outputs[j]).ToList()).ToList());

    public static IReadOnlyList<(string Folder, JoinSpec Spec)> ReadAll(string outDir)
    {
        var root = Path.Combine(WorkPlan.StateFolder(outDir), "segments");
        if (!Directory.Exists(root)) return [];
        var specs = new List<(string, JoinSpec)>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, FileName);
            if (!File.Exists(path)) continue;
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllText(path), BatchJson.Default.JoinSpec) is { } spec) specs.Add((folder, spec));
            }
            catch (JsonException ex)
            {
                throw new StreamCopyException($"{path}: unreadable ({ex.Message})");
            }
        }
        return specs;
    }
}

/// <summary>Joins a file's processed segments, by stream copy, into the outputs an unsplit run would have written.</summary>
public static class SegmentJoin
{
    public const string Joined = "joined", Waiting = "waiting", Busy = "busy", Failed = "failed";

    /// <summary>Joined already: every final output is there (and, with <paramref name="overwrite"/>, newer than its segments).</summary>
    public static bool IsJoined(JoinSpec spec, bool overwrite) =>
        spec.FinalOutputs.Select((f, j) => File.Exists(f) && (!overwrite || spec.SegmentOutputs[j].All(s => !File.Exists(s) || File.GetLastWriteTimeUtc(s) <= File.GetLastWriteTimeUtc(f)))).All(b => b);

    /// <summary>Joins <paramref name="spec"/> when all its segments are there; safe to race (a lock, outputs moved in whole).</summary>
    public static JoinReport Join(string folder, JoinSpec spec, bool overwrite)
    {
        var report = new JoinReport { File = spec.Name, Outputs = spec.FinalOutputs, Status = Waiting };
        FileStream? held;
        try
        {
            held = new FileStream(Path.Combine(folder, "join.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            report.Status = Busy;
            report.Reason = "another process is joining it";
            return report;
        }
        using var _ = held;
        if (IsJoined(spec, overwrite))
        {
            report.Status = Joined;
            return report;
        }
        int present = spec.SegmentOutputs[0].Count(File.Exists);
        if (spec.SegmentOutputs.Any(list => !list.All(File.Exists)))
        {
            report.Reason = $"{present} of {spec.SegmentOutputs[0].Count} segments done";
            return report;
        }
        try
        {
            for (int j = 0; j < spec.FinalOutputs.Count; j++) JoinOne(folder, spec, j, overwrite);
            report.Status = Joined;
            // The segments are ours (hidden under .videoconv): gone once joined; plan and join.json stay for resume and reports.
            foreach (var list in spec.SegmentOutputs) foreach (var s in list) File.Delete(s);
            var cuts = Path.Combine(folder, "cut");
            if (Directory.Exists(cuts)) Directory.Delete(cuts, recursive: true);
        }
        catch (Exception ex) when (ex is StreamCopyException or IOException or UnauthorizedAccessException)
        {
            report.Status = Failed;
            report.Reason = ex.Message;
        }
        return report;
    }

    private static void JoinOne(string folder, JoinSpec spec, int sink, bool overwrite)
    {
        var final = spec.FinalOutputs[sink];
        var temp = PartialFiles.Create(final);
        var list = Path.Combine(folder, $"concat-{sink}.ffconcat");
        try
        {
            StreamCopy.Join(spec.SegmentOutputs[sink], File.Exists(spec.Input) ? spec.Input : null, list, temp);
            PartialFiles.Commit(temp, final, overwrite);
        }
        finally
        {
            PartialFiles.Discard(temp);   // nothing left after a commit
            if (File.Exists(list)) File.Delete(list);
        }
    }
}
