using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> (or <c>-</c>, standard output) written in-process by the system FFmpeg libraries: the
/// codec, encoder and container chosen by <see cref="MediaFormats"/>, frames encoded at their own presentation
/// times by <see cref="VideoEncoder"/>, the input's audio copied beside them by <see cref="AudioTrack"/>, all
/// muxed by <see cref="OutputMuxer"/> into a hidden partial file that moves into place only when finalized.
/// </summary>
/// <remarks>
/// The encoder is built on the first frame, whose time base it adopts (the source's): sizes an encoder cannot
/// keep are refused there, before anything is written.
/// </remarks>
internal sealed unsafe class LibAvFileSink(FileSinkSpec spec, FileSourceSpec? audioFrom, bool overwrite) : IFrameSink
{
    private readonly string _path = spec.Path;
    private VideoCodec? _codec;
    private void* _encoderCodec, _oformat, _videoStream;
    private OutputMuxer? _muxer;
    private VideoEncoder? _encoder;
    private AudioTrack? _audio;
    private string? _temp;
    private ImageFormat _format;
    private double _fps;
    private Rational _streamTb;
    private Action<nint>? _writePacket;

    /// <summary>A sink for <paramref name="path"/> with <paramref name="codec"/> (a name or FOURCC) and no audio (tests).</summary>
    public LibAvFileSink(string path, string? codec, bool overwrite) : this(new FileSinkSpec(path, codec), null, overwrite) { }

    public string Name => spec.IsStdout ? "sink file -" : $"sink file {_path}";
    public bool AcceptsFormatChange => false;

    /// <summary>The encoder actually used (libx264, libsvtav1, …), once the first frame arrived.</summary>
    public string? EncoderName { get; private set; }

    /// <summary>With <c>space: yuv</c>: frames whose planes the encoder took by reference, and frames converted first (tests, logs).</summary>
    public (long ByReference, long Converted) PlaneFrames { get; private set; }

    public void Open(ImageFormat format, double fps)
    {
        _codec = MediaFormats.Resolve(_path, spec.Codec, spec.Format);
        _oformat = MediaFormats.Muxer(spec);
        _encoderCodec = MediaFormats.Encoder(_codec, _oformat);
        MediaFormats.CheckSize(_codec, format, spec.IsStdout ? "standard output" : $"'{_path}'");
        EncoderName = MediaFormats.EncoderName(_encoderCodec);
        (_format, _fps) = (format, fps);
    }

    public void Write(Frame frame)
    {
        if (_codec is null) throw new InvalidOperationException("sink not opened");
        if (frame.Format != _format)
            throw new InvalidOperationException($"frame format changed from {_format} to {frame.Format}; a video file's size is fixed");
        if (_encoder is null) Start(frame.TimeBase, planar: frame.Planes is not null);
        if (frame.Planes is not null) _encoder!.EncodePlanes(frame, _writePacket!); // space: yuv: the planes by reference
        else _encoder!.Encode(frame, _writePacket!);
    }

    private void Start(Rational sourceTimeBase, bool planar)
    {
        string target;
        if (spec.IsStdout) target = "pipe:1";
        else target = _temp = PartialFiles.Create(_path);
        string display = spec.IsStdout ? "standard output" : _path;
        _muxer = new OutputMuxer(_oformat, target, display);
        _videoStream = _muxer.AddStream();
        _encoder = new VideoEncoder(_codec!, _encoderCodec, spec, _format, sourceTimeBase, _fps, _muxer, display, planar);
        _encoder.Describe(_videoStream);
        // The stream's average rate, as ffmpeg's CLI sets it: Matroska derives each block's duration from it (without
        // it the video packets of a .mkv had no durations, where ffmpeg's output of the same input has them).
        if (_fps is > 0 and < 1000) LibAv.Write(_videoStream, LibAv.StreamAvgFrameRate, LibAv.av_d2q(_fps, 100_000));
        _audio = AudioTrack.Open(audioFrom, spec, _oformat, "audio");
        _audio?.AddTo(_muxer);
        _muxer.Start();
        _streamTb = OutputMuxer.TimeBaseOf(_videoStream); // the muxer may have changed it
        var encoderTb = _encoder.TimeBase;
        int index = OutputMuxer.IndexOf(_videoStream);
        _writePacket = p =>
        {
            void* packet = (void*)p;
            LibAv.av_packet_rescale_ts(packet, encoderTb, _streamTb);
            LibAv.Write(packet, LibAv.PacketStreamIndex, index);
            long dts = LibAv.Read<long>(packet, LibAv.PacketDts);
            if (_audio is not null && dts != LibAv.NoPts) _audio.WriteUntil(_muxer, dts * _streamTb.Value);
            _muxer.Write(packet);
        };
    }

    public void Complete()
    {
        if (_encoder is null || _muxer is null) return; // no frame arrived: nothing to write
        _encoder.Flush(_writePacket!);
        _audio?.WriteUntil(_muxer, double.PositiveInfinity);
        _muxer.Finish();
        Release();
        if (_temp is not null) PartialFiles.Commit(_temp, _path, overwrite);
        _temp = null;
    }

    public void Abort()
    {
        Release();
        PartialFiles.Discard(_temp);
        _temp = null;
    }

    public void Dispose() => Abort();

    private void Release()
    {
        if (_encoder is not null) PlaneFrames = (_encoder.PlanesByReference, _encoder.PlanesConverted);
        _muxer?.Dispose();
        _muxer = null;
        _encoder?.Dispose();
        _encoder = null;
        _audio?.Dispose();
        _audio = null;
    }
}
