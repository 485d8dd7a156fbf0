using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// One encoded output — a file, standard output or a url: the codec, encoder and container chosen by
/// <see cref="MediaFormats"/>, frames encoded at their own presentation times by <see cref="VideoEncoder"/>, the
/// input's audio beside them (<see cref="AudioTrack"/>), all muxed by <see cref="OutputMuxer"/>. Where it is
/// written, and what happens to a partial result, is the sink's business.
/// </summary>
/// <remarks>
/// Built when the first frame's format is known (sizes the encoder cannot keep are refused there); started on
/// the first frame, whose time base the encoder adopts (the source's).
/// </remarks>
internal sealed unsafe class MediaOutput : IDisposable
{
    private readonly MediaSinkSpec _spec;
    private readonly FileSourceSpec? _audioFrom;
    private readonly AudioFeed.Subscription? _pipe;
    private readonly VideoCodec _codec;
    private readonly void* _encoderCodec, _oformat;
    private readonly ImageFormat _format;
    private readonly double _fps;
    private readonly string _display;
    private void* _videoStream;
    private OutputMuxer? _muxer;
    private VideoEncoder? _encoder;
    private AudioTrack? _audio;
    private Rational _streamTb;
    private Action<nint>? _writePacket;

    /// <param name="display">How errors name the output (the user's path, "standard output", the url).</param>
    /// <param name="pipe">The sink's queue of standard input's audio (when the source is <c>-</c>); the sink owns it.</param>
    public MediaOutput(MediaSinkSpec spec, FileSourceSpec? audioFrom, ImageFormat format, double fps, string display, AudioFeed.Subscription? pipe = null)
    {
        (_spec, _audioFrom, _format, _fps, _display, _pipe) = (spec, audioFrom, format, fps, display, pipe);
        _codec = MediaFormats.Resolve(spec);
        _oformat = MediaFormats.Muxer(spec);
        _encoderCodec = MediaFormats.Encoder(_codec, _oformat);
        MediaFormats.CheckSize(_codec, format, MediaFormats.Display(spec));
        EncoderName = MediaFormats.EncoderName(_encoderCodec);
    }

    /// <summary>The encoder in use (libx264, libsvtav1, …).</summary>
    public string EncoderName { get; }

    public ImageFormat Format => _format;
    public bool Started => _muxer is not null;

    /// <summary>With <c>space: yuv</c>: frames whose planes the encoder took by reference, and frames converted first (tests, logs).</summary>
    public (long ByReference, long Converted) PlaneFrames { get; private set; }

    /// <summary>Builds the encoder for frames in <paramref name="sourceTimeBase"/>, opens <paramref name="target"/> and writes the header.</summary>
    /// <param name="ioOptions">Options of the protocol that opens <paramref name="target"/> (a url's timeouts); null for files.</param>
    /// <param name="muxerOptions">Options of the muxer itself (the hls muxer's segment names); null for none.</param>
    /// <param name="planar">Frames come as YUV planes (<c>space: yuv</c>), handed to the encoder by reference.</param>
    public void Start(string target, Rational sourceTimeBase, IReadOnlyDictionary<string, string>? ioOptions = null, IReadOnlyDictionary<string, string>? muxerOptions = null,
        bool planar = false)
    {
        _muxer = new OutputMuxer(_oformat, target, _display);
        foreach (var (name, value) in muxerOptions ?? new Dictionary<string, string>()) _muxer.SetOption(name, value);
        _videoStream = _muxer.AddStream();
        _encoder = new VideoEncoder(_codec, _encoderCodec, _spec, _format, sourceTimeBase, _fps, _muxer, _display, ColourDescription.Probe(_audioFrom), planar);
        _encoder.Describe(_videoStream);
        // The stream's average rate, as ffmpeg's CLI sets it: Matroska derives each block's duration from it (without
        // it the video packets of a .mkv had no durations, where ffmpeg's output of the same input has them).
        if (_fps is > 0 and < 1000) LibAv.Write(_videoStream, LibAv.StreamAvgFrameRate, LibAv.av_d2q(_fps, 100_000));
        _audio = AudioTrack.Open(_audioFrom, _spec, _oformat, "audio", _pipe);
        _audio?.AddTo(_muxer);
        _muxer.Start(ioOptions);
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

    public void Encode(Frame frame)
    {
        if (frame.Format != _format)
            throw new InvalidOperationException($"frame format changed from {_format} to {frame.Format}; a video stream's size is fixed");
        if (_encoder is null) throw new InvalidOperationException("output not started");
        if (frame.Planes is not null) _encoder.EncodePlanes(frame, _writePacket!); // space: yuv: the planes by reference
        else _encoder.Encode(frame, _writePacket!);
    }

    /// <summary>Drains the encoder, writes the rest of the audio and the trailer, and closes the output; throws if any of it failed.</summary>
    public void Finish()
    {
        if (_encoder is null || _muxer is null) return;
        _encoder.Flush(_writePacket!);
        _audio?.WriteUntil(_muxer, double.PositiveInfinity);
        _muxer.Finish();
        Dispose();
    }

    public void Dispose()
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
