using System.Globalization;
using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Batch;

/// <summary>
/// The options of <c>batch</c> that make it a shard of a larger run: <c>--shard</c>, <c>--resume</c>,
/// <c>--dry-run</c>, <c>--segment-seconds</c>. Parser-neutral: the verb hands over the raw values.
/// </summary>
public sealed record ShardOptions(ShardSpec Shard, bool Resume, bool DryRun, double? SegmentSeconds)
{
    /// <summary>Null when none of these options applies (an ordinary one-machine batch).</summary>
    public static ShardOptions? From(string? shard, bool resume, bool dryRun, string? segmentSeconds, bool overwrite, Func<string, string?> environment)
    {
        var spec = ShardSpec.Resolve(shard, environment);
        double? seconds = null;
        if (segmentSeconds is not null)
        {
            if (!double.TryParse(segmentSeconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || !double.IsFinite(s) || s < 0.5 || s > 86400)
                throw new UsageException($"--segment-seconds must be a number of seconds from 0.5 to 86400, got '{segmentSeconds}'");
            seconds = s;
        }
        if (resume && overwrite) throw new UsageException("--resume keeps finished outputs and --overwrite replaces them: give one of them");
        if (spec is null && !resume && !dryRun && seconds is null) return null;
        var whole = spec ?? ShardSpec.Whole;
        // A retried pod must finish its share, not trip over what it finished before: resume is the default when sharded.
        return new ShardOptions(whole, resume || (whole.IsSharded && !overwrite), dryRun, seconds);
    }
}
