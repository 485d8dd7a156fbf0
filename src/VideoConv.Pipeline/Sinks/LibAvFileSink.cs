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

    /// <summary>A sink for <paramref name="path"/> with <paramref name="codec"/> (a name or FOURCC) and no audio (tests).</summary>
    public LibAvFileSink(string path, string? codec, bool overwrite) : this(new FileSinkSpec(path, codec), null, overwrite) { }

    public string Name => spec.IsStdout ? "sink file -" : $"sink file {_path}";
    public bool AcceptsFormatChange => false;

    /// <summary>The encoder actually used (libx264, libsvtav1, …), once the first frame arrived.</summary>
    public string? EncoderName => _output?.EncoderName;

    /// <summary>With <c>space: yuv</c>: frames whose planes the encoder took by reference, and frames converted first (tests, logs).</summary>
    public (long ByReference, long Converted) PlaneFrames => _output?.PlaneFrames ?? default;

    public void Open(ImageFormat format, double fps)
    {
        _output?.Dispose();
        _output = new MediaOutput(spec, audioFrom, format, fps, spec.IsStdout ? "standard output" : _path, _pipe);
    }

    public void Write(Frame frame)
    {
        if (_output is null) throw new InvalidOperationException("sink not opened");
        if (!_output.Started) Start(frame);
        _output.Encode(frame);
    }

    private void Start(Frame frame)
    {
        bool planar = frame.Planes is not null;
        if (spec.IsStdout) _output!.Start("pipe:1", frame.TimeBase, planar: planar);
        else if (HlsStaging.IsPlaylist(_path))
        {
            _hls = HlsStaging.Create(_path);
            // Every segment listed (a whole-file playlist, VOD), each named as ffmpeg -f hls names them.
            _output!.Start(_hls.StagedPlaylist, frame.TimeBase, muxerOptions: new Dictionary<string, string>
            {
                ["hls_segment_filename"] = _hls.SegmentPattern, ["hls_list_size"] = "0", ["hls_playlist_type"] = "vod",
            }, planar: planar);
        }
        else _output!.Start(_temp = PartialFiles.Create(_path), frame.TimeBase, planar: planar);
    }

    public void Complete()
    {
        if (_output is not { Started: true }) return; // no frame arrived: nothing to write
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
