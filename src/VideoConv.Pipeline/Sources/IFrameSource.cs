using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sources;

/// <summary>
/// Where frames come from. Called from one dedicated thread: <see cref="Open"/> once (it may block, e.g.
/// on a FIFO until its writer connects), then <see cref="Read"/> until it returns false.
/// </summary>
internal interface IFrameSource : IDisposable
{
    /// <summary>Opens the device/file/process; afterwards <see cref="Format"/>, <see cref="Fps"/> and <see cref="TotalFrames"/> are known.</summary>
    void Open(CancellationToken cancellationToken);

    ImageFormat Format { get; }

    /// <summary>Nominal frame rate (used for realtime pacing and for encoders); 0 when unknown.</summary>
    double Fps { get; }

    /// <summary>The time base of the timestamps the source gives its frames, once open; null when it gives none (the source stage stamps them).</summary>
    Media.Rational? TimeBase => null;

    /// <summary>Frames the source will deliver, when known in advance.</summary>
    long? TotalFrames { get; }

    /// <summary>Fills <paramref name="frame"/> (of <see cref="Format"/>) with the next frame; false at the end of the stream.</summary>
    bool Read(Frame frame, CancellationToken cancellationToken);
}

/// <summary>Builds the source a spec asks for.</summary>
internal static class FrameSources
{
    public static IFrameSource Create(Specs.SourceSpec spec) => Create(spec, new Specs.PipelineOptions());

    /// <summary>Cameras and urls come wrapped in a <see cref="SourceWatchdog"/> (stalls, reconnects, frozen feeds).</summary>
    /// <param name="stdinAudio">Where a source reading standard input publishes its audio for the sinks; null otherwise.</param>
    public static IFrameSource Create(Specs.SourceSpec spec, Specs.PipelineOptions options, Media.AudioFeed? stdinAudio = null) => spec switch
    {
        Specs.PatternSourceSpec p => new PatternSource(p.Width, p.Height, p.Fps, p.Frames),
        Specs.FileSourceSpec f => new LibAvFileSource(f, stdinAudio),
        Specs.CameraSourceSpec c => new SourceWatchdog(() => VideoCaptureSource.ForCamera(c.Index, c.Width, c.Height, c.Fps),
            $"camera {c.Index}", options.LiveSources, options.Warning, endIsLoss: true),
        Specs.ImagesSourceSpec i => new ImageSequenceSource(i.Glob, i.Fps),
        Specs.UrlSourceSpec u => new SourceWatchdog(() => new FfmpegUrlSource(u.Url), $"url '{u.Url}'", options.LiveSources, options.Warning, endIsLoss: false),
        _ => throw new Specs.PipelineSpecException("source", $"unsupported source kind {spec.GetType().Name}"),
    };
}
