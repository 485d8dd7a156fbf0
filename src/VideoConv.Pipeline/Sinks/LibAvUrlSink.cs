using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>url: udp://…</c> (tcp, srt, rtp, rtmp): the filtered video, encoded by <see cref="MediaOutput"/>, sent through
/// libavformat's own protocol for the scheme. Nothing is written to disk. The address is opened as the run starts,
/// once the source is open and before its first frame is read (a tcp/srt/rtmp receiver must be listening then), so
/// the encoder's set-up and the connection do not hold up the first frames; see <see cref="LibAvFileSink.Prepare"/>.
/// </summary>
/// <remarks>
/// A receiver that goes away (a reset connection, a broken pipe, a write that times out) fails a file-paced run like
/// any failed write; in a live run it throws <see cref="SinkGoneException"/>, so this sink stops while the pipeline
/// drains and finalizes its other sinks.
/// </remarks>
internal sealed class LibAvUrlSink(UrlSinkSpec spec, FileSourceSpec? audioFrom, bool live, AudioFeed? stdinAudio = null) : IFrameSink
{
    private readonly AudioFeed.Subscription? _pipe = spec.Audio != AudioMode.Drop ? stdinAudio?.Subscribe() : null;
    /// <summary>How long one write may block on a receiver that stopped reading (libavformat's <c>rw_timeout</c>, µs).</summary>
    internal const string WriteTimeoutMicroseconds = "10000000";

    private MediaOutput? _output;
    private long _frames;

    public string Name => $"sink url {spec.Url}";
    public bool AcceptsFormatChange => false;

    public void Prepare(SinkFormat? expected)
    {
        if (expected is null || _output is not null) return;
        Open(expected.Format, expected.Fps);
        _output!.Start(spec.Url, expected.TimeBase, ProtocolOptions(spec.Url), planar: expected.Planar);
    }

    public void Open(ImageFormat format, double fps)
    {
        if (_output is { } prepared && prepared.Format == format) return; // prepared for this format (frames are rescaled to its time base)
        _output?.Dispose();
        _output = new MediaOutput(spec, audioFrom, format, fps, spec.Url, _pipe);
    }

    public void Write(Frame frame)
    {
        if (_output is null) throw new InvalidOperationException("sink not opened");
        if (!_output.Started) _output.Start(spec.Url, frame.TimeBase, ProtocolOptions(spec.Url), planar: frame.Planes is not null);
        try { _output.Encode(frame); }
        catch (MediaWriteException ex) { throw Gone(ex); }
        _frames++;
    }

    public void Complete()
    {
        if (_frames == 0) // no frame arrived: a prepared stream is closed without a trailer, as if never opened
        {
            Abort();
            return;
        }
        try { _output?.Finish(); }
        catch (MediaWriteException ex) { throw Gone(ex); }
    }

    /// <summary>
    /// Options for libavformat's protocol (options written in the url itself win): a bounded write, and for SRT a
    /// 5 s linger, without which the last packets still queued at the end were dropped (20 of 45 frames arrived).
    /// </summary>
    internal static Dictionary<string, string> ProtocolOptions(string url)
    {
        var options = new Dictionary<string, string> { ["rw_timeout"] = WriteTimeoutMicroseconds };
        if (MediaFormats.SchemeOf(url) == "srt") options["linger"] = "5";
        return options;
    }

    // The stream was open and a write to it failed: the receiver went away (or stopped reading).
    private IOException Gone(MediaWriteException ex)
    {
        _output?.Dispose();
        string message = $"the receiver went away ({FFmpeg.LibAv.Error(ex.Code)})";
        return live ? new SinkGoneException(message, ex) : new IOException(message, ex);
    }

    public void Abort() => _output?.Dispose();

    public void Dispose()
    {
        Abort();
        _pipe?.Dispose();
    }
}

/// <summary>A live sink's receiver went away: the sink stops, said once, and the run goes on with its other sinks.</summary>
internal sealed class SinkGoneException(string message, Exception inner) : IOException(message, inner);
