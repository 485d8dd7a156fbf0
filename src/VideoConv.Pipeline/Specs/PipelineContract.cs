using VideoConv.Core.Filters;

namespace VideoConv.Pipeline.Specs;

/// <summary>Run-time options that are not part of the config.</summary>
public sealed record PipelineOptions
{
    /// <summary>Called a few times a second from a background thread with a snapshot of the statistics.</summary>
    public Action<PipelineStats>? Progress { get; init; }

    /// <summary>Replace existing output files; otherwise an existing output is an error before the first frame.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Capacity of each bounded channel between stages.</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>
    /// In a live run, the capacity of the queue in front of each encoding sink (file, url): half a second at 30 fps.
    /// An encoder held off for a moment then loses no frame, where a window (<see cref="QueueCapacity"/>) drops the
    /// oldest, since a deeper queue would only show older frames. Measured, 1080p30 live → window + x264 file, 60 s:
    /// with 4 frames 1–4 of 1860 dropped at the file in each of five runs; with 12 none (one run), with 15 none (five).
    /// Memory stays bounded: 11 frames more than a window's queue per encoding sink (68 MB at 1080p BGR), docs/live.md.
    /// </summary>
    public int EncoderQueueCapacity { get; init; } = 15;

    /// <summary>Stall detection, reconnection and frozen-feed checks for live sources (camera, url).</summary>
    public LiveSourcePolicy LiveSources { get; init; } = new();

    /// <summary>Threads the filter chain runs on (the caller included); null: one per core, shared by every pipeline in the process.</summary>
    public int? Threads { get; init; }

    /// <summary>Called from a pipeline thread with one-line warnings that do not stop the run (a reconnect, a frozen feed).</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>How a live source that stops delivering is detected and reconnected.</summary>
public sealed record LiveSourcePolicy
{
    /// <summary>No frame for this long is a stall: the source is dropped and reconnected.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a (re)connection may take before it counts as failed (stream probing included).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Reconnection attempts after a loss before the run fails (frames read so far are kept).</summary>
    public int MaxReconnects { get; init; } = 5;

    /// <summary>Wait before the first reconnection attempt; doubled after each failed attempt, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Identical frames for this long are reported as a frozen feed (a warning, not a failure).</summary>
    public TimeSpan FrozenAfter { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Per-stage figures.</summary>
public sealed record StageStats(string Name, long Frames, double Fps, double BusyMs, int QueueDepth, long Dropped)
{
    /// <summary>The filter stage's chain steps, in order: each step's frames and CPU time (busy time summed over the band threads); empty for other stages.</summary>
    public IReadOnlyList<VideoConv.Core.Convolution.ChainStepTime> Steps { get; init; } = [];
}

/// <summary>Figures for a whole run (also a live snapshot while it runs).</summary>
public sealed record PipelineStats(
    long FramesIn, long FramesOut, long Dropped, double Fps,
    double LatencyP50Ms, double LatencyP99Ms, double ElapsedSeconds,
    long? TotalFrames, IReadOnlyList<StageStats> Stages)
{
    /// <summary>True when the run ended early because it was cancelled or the display asked to stop (outputs are finalized).</summary>
    public bool Stopped { get; init; }
}

/// <summary>A config that cannot run, found before the first frame (missing source, unknown codec, unwritable output…).</summary>
/// <param name="subject">Which part of the spec is wrong, in words: "source", "sink 1", "chain step 2"… (printed when there is no location).</param>
/// <param name="location">Where that part was written (from the spec's <see cref="SpecOrigin"/>); null when the spec was made in code.</param>
public class PipelineSpecException(string subject, string message, SourceLocation? location = null) : Exception(message)
{
    public string Subject { get; } = subject;

    public SourceLocation? Location { get; } = location;
}

/// <summary>A stage failed while running; <see cref="Stage"/> names it ("source", "filter", "sink file out.mkv"…).</summary>
public class PipelineStageException(string stage, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Stage { get; } = stage;
}

/// <summary>
/// The input broke mid-stream (a truncated file, a live feed lost for good): the frames read before the
/// break were written and the outputs finalized, so — unlike other stage failures — they are worth keeping.
/// </summary>
public sealed class PipelineInputBrokeException(string stage, string message, long framesKept, Exception? inner = null)
    : PipelineStageException(stage, message, inner)
{
    /// <summary>Frames delivered before the break.</summary>
    public long FramesKept { get; } = framesKept;
}
