using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> (or <c>-</c>, standard output) written in-process by the system FFmpeg libraries
/// (<see cref="MediaOutput"/>) into a hidden partial file that moves into place only when finalized. An HLS
/// playlist (<c>.m3u8</c>) and its segments are written into a hidden staging folder instead (<see cref="HlsStaging"/>).
/// </summary>
internal sealed class LibAvFileSink(FileSinkSpec spec, FileSourceSpec? audioFrom, bool overwrite, AudioFeed? stdinAudio = null) : IFrameSink
{
    // Subscribed now, before the source opens: standard input's audio is demuxed by the source as it reads ahead.
    private readonly AudioFeed.Subscription? _pipe = spec.Audio != AudioMode.Drop ? stdinAudio?.Subscribe() : null;
    private readonly string _path = spec.Path;
    private MediaOutput? _output;
    private string? _temp;
    private HlsStaging? _hls;
    private long _frames;

    /// <summary>A sink for <paramref name="path"/> with <paramref name="codec"/> (a name or FOURCC) and no audio (tests).</summary>
    public LibAvFileSink(string path, string? codec, bool overwrite) : this(new FileSinkSpec(path, codec), null, overwrite) { }

    public string Name => spec.IsStdout ? "sink file -" : $"sink file {_path}";
    public bool AcceptsFormatChange => false;

    /// <summary>The encoder actually used (libx264, libsvtav1, …), once the first frame arrived.</summary>
    public string? EncoderName => _output?.EncoderName;

    /// <summary>With <c>space: yuv</c>: frames whose planes the encoder took by reference, and frames converted first (tests, logs).</summary>
    public (long ByReference, long Converted) PlaneFrames => _output?.PlaneFrames ?? default;

    /// <summary>
    /// Opens the encoder and the output (a hidden partial file) for the announced format before the first frame, as a
    /// GStreamer encoder does when its caps arrive. At the first frame, a live 1080p30 FIFO's file sink took 87 ms to
    /// start (x264 ultrafast, muxer header) and 71 ms for its first frame: 5 frames queued behind it, and 17–22 frames
    /// of the first second dropped, at the sink and at the filter it starved. Standard output stays lazy: nothing is
    /// written there before a frame. A run that ends with no frame still leaves no file (<see cref="Complete"/>).
    /// </summary>
    public void Prepare(SinkFormat? expected)
    {
        if (expected is null || spec.IsStdout || _output is not null) return;
        Open(expected.Format, expected.Fps);
        Start(expected.TimeBase, expected.Planar);
    }

    public void Open(ImageFormat format, double fps)
    {
        if (_output is { } prepared && prepared.Format == format) return; // prepared for this format: its time base and rate stand (frames are rescaled)
        Abort();
        _output = new MediaOutput(spec, audioFrom, format, fps, spec.IsStdout ? "standard output" : _path, _pipe);
    }

    public void Write(Frame frame)
    {
        if (_output is null) throw new InvalidOperationException("sink not opened");
        if (!_output.Started) Start(frame.TimeBase, frame.Planes is not null);
        _output.Encode(frame);
        _frames++;
    }

    private void Start(Rational timeBase, bool planar)
    {
        if (spec.IsStdout) _output!.Start("pipe:1", timeBase, planar: planar);
        else if (HlsStaging.IsPlaylist(_path))
        {
            _hls = HlsStaging.Create(_path);
            // Every segment listed (a whole-file playlist, VOD), each named as ffmpeg -f hls names them.
            _output!.Start(_hls.StagedPlaylist, timeBase, muxerOptions: new Dictionary<string, string>
            {
                ["hls_segment_filename"] = _hls.SegmentPattern, ["hls_list_size"] = "0", ["hls_playlist_type"] = "vod",
            }, planar: planar);
        }
        else _output!.Start(_temp = PartialFiles.Create(_path), timeBase, planar: planar);
    }

    public void Complete()
    {
        if (_output is not { Started: true } || _frames == 0) // no frame arrived: nothing to write (a prepared output goes)
        {
            Abort();
            return;
        }
        _output.Finish();
        if (_temp is not null) PartialFiles.Commit(_temp, _path, overwrite);
        _temp = null;
        _hls?.Commit(overwrite);
        _hls = null;
    }

    public void Abort()
    {
        _output?.Dispose();
        PartialFiles.Discard(_temp);
        _temp = null;
        _hls?.Discard();
        _hls = null;
    }

    public void Dispose()
    {
        Abort();
        _pipe?.Dispose();
    }
}
