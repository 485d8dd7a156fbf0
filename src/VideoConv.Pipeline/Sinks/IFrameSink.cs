using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// Where frames go. Each sink runs on its own dedicated thread: <see cref="Prepare"/> before the source reads
/// its first frame, <see cref="Open"/> with the first frame's format, <see cref="Write"/> per frame (the frame is borrowed: read it, never keep it), then exactly one
/// of <see cref="Complete"/> (the run ended or was stopped: finalize outputs) or <see cref="Abort"/> (the run
/// failed: leave nothing half-written at the destination).
/// </summary>
internal interface IFrameSink : IDisposable
{
    /// <summary>Stage name used in statistics and errors, e.g. <c>sink file out.mkv</c>.</summary>
    string Name { get; }

    /// <summary>False when the sink cannot follow a change of frame format mid-run (an encoder's size is fixed).</summary>
    bool AcceptsFormatChange { get; }

    /// <summary>
    /// The sink's costly set-up (a window, an encoder), on the sink's thread before the source reads its first
    /// frame, so a live source does not queue and drop frames while it happens. Called twice: with null as the run
    /// starts (what needs no format, in parallel with the source's opening), then with what the chain will hand
    /// the sink once the source is open (null when not known). <see cref="Open"/> still follows with the first frame's.
    /// </summary>
    void Prepare(SinkFormat? expected) { }

    void Open(ImageFormat format, double fps);
    void Write(Frame frame);
    void Complete();
    void Abort();
}

/// <summary>
/// What a sink will be handed, announced once the source is open: the chain's output format, the source's nominal
/// rate, the time base its frames will carry (a guess the frames may still differ from: encoders rescale), and
/// whether they come as YUV planes (<c>space: yuv</c>).
/// </summary>
internal sealed record SinkFormat(ImageFormat Format, double Fps, Media.Rational TimeBase, bool Planar);

/// <summary>What a sink may ask of the running pipeline.</summary>
internal interface ISinkHost
{
    /// <summary>Stops the run as cancellation does: the source ends, queued frames drain, outputs are finalized.</summary>
    void RequestStop();

    /// <summary>Live figures for overlays.</summary>
    (double Fps, double LatencyP50Ms, double LatencyP99Ms, long Dropped) Figures { get; }
}

/// <summary>Builds the sinks a spec asks for.</summary>
internal static class FrameSinks
{
    /// <param name="stdinAudio">Standard input's audio, demuxed by the source (<see cref="Media.AudioFeed.For"/>); null otherwise.</param>
    public static IFrameSink Create(SinkSpec spec, bool overwrite, ISinkHost host, SourceSpec? source = null, Media.AudioFeed? stdinAudio = null) => spec switch
    {
        FileSinkSpec f => FileSink(f, overwrite, source as FileSourceSpec, stdinAudio),
        UrlSinkSpec u => new LibAvUrlSink(u, source as FileSourceSpec, source?.IsLive ?? false, stdinAudio),
        DisplaySinkSpec d => new DisplaySink(d.Title, host),
        ImagesSinkSpec i => new ImageSequenceSink(i.Pattern, overwrite),
        DiscardSinkSpec => new DiscardSink(),
        _ => throw new PipelineSpecException("sinks", $"unsupported sink kind {spec.GetType().Name}"),
    };

    /// <summary>
    /// The writer for a file sink: the media layer (system FFmpeg libraries in-process: every codec, audio from
    /// <paramref name="audioFrom"/>, timestamps) unless <c>encoder: opencv</c> or the libraries are missing; then
    /// the ffmpeg command fed raw frames for MPEG-4/MJPEG, OpenCV's writer otherwise (video only).
    /// </summary>
    public static IFrameSink FileSink(FileSinkSpec f, bool overwrite, FileSourceSpec? audioFrom = null, Media.AudioFeed? stdinAudio = null)
    {
        if (Media.MediaFormats.WritesInProcess(f)) return new LibAvFileSink(f, audioFrom, overwrite, stdinAudio);
        string fourcc = Media.MediaFormats.OpenCvFourcc(f.Path, f.Codec);
        bool ffmpeg = f.Encoder switch
        {
            FileEncoder.Ffmpeg => true,
            FileEncoder.OpenCv => false,
            _ => FfmpegPipeSink.Handles(fourcc) && FfmpegPipeSink.FindFfmpeg() is not null,
        };
        return ffmpeg ? new FfmpegPipeSink(f.Path, fourcc, overwrite) : new OpenCvVideoWriterSink(f.Path, fourcc, overwrite);
    }
}

/// <summary><c>discard: {}</c> — frames are processed and thrown away (benchmarks).</summary>
internal sealed class DiscardSink : IFrameSink
{
    public string Name => "sink discard";
    public bool AcceptsFormatChange => true;
    public void Open(ImageFormat format, double fps) { }
    public void Write(Frame frame) { }
    public void Complete() { }
    public void Abort() { }
    public void Dispose() { }
}
