using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// The input's audio, stream-copied (or re-encoded by <see cref="AudioReencoder"/> where the container cannot
/// hold its codec) into an output beside the filtered video: its own demuxer over the input
/// file reads the audio packets, whose timestamps are shifted by the same origin as the video's (the file's
/// start, plus <c>start:</c> when trimmed), so the two stay in sync whatever the video stage drops or delays.
/// Packets are written interleaved: up to the time of each video packet, the rest at the end.
/// </summary>
/// <remarks>
/// Trimming is to the packet (an AAC packet is 21 ms at 48 kHz): packets that begin before <c>start:</c> or after
/// its end are left out, so the audio starts up to one packet after the first frame, never before it.
/// </remarks>
internal sealed unsafe class AudioTrack : IDisposable
{
    private void* _input, _packet, _outStream;
    private readonly void* _par; // the input audio stream's parameters (the demuxer's, or the feed's)
    private readonly int _index;
    private readonly Rational _inTb;
    private readonly long _origin, _end; // in the input stream's time base
    private bool _pending, _done, _trimmed, _flushed, _final;
    private AudioReencoder? _reencoder;
    private AudioFeed.Subscription? _pipe;

    private AudioTrack(void* input, int index, long origin, long end)
    {
        _input = input;
        _index = index;
        void* stream = Stream(input, index);
        _inTb = LibAv.Read<Rational>(stream, LibAv.StreamTimeBase);
        _par = LibAv.Read<nint>(stream, LibAv.StreamCodecpar).ToPointer();
        _origin = origin;
        _end = end;
        _packet = LibAv.av_packet_alloc();
    }

    // Standard input: the packets the video source's demuxer publishes (the pipe can be read once).
    private AudioTrack(AudioFeed.Subscription pipe, long end)
    {
        _pipe = pipe;
        _index = -1;
        _inTb = pipe.Feed.TimeBase;
        _par = pipe.Feed.Parameters;
        _origin = pipe.Feed.Origin;
        _end = end;
        _packet = LibAv.av_packet_alloc();
    }

    /// <summary>The codec name of the input's audio, for messages.</summary>
    public string CodecName { get; private set; } = "";

    /// <summary>
    /// Opens the audio of <paramref name="source"/> for <paramref name="sink"/>: null when there is none or
    /// <c>audio: drop</c>. Throws <see cref="PipelineSpecException"/> for <c>audio: copy</c> into a container that cannot hold the codec.
    /// </summary>
    /// <param name="pipe">For standard input: this sink's queue of the audio the video source demuxes; its Feed is opened by then.</param>
    public static AudioTrack? Open(FileSourceSpec? source, MediaSinkSpec sink, void* muxer, string subject, AudioFeed.Subscription? pipe = null)
    {
        if (sink.Audio == AudioMode.Drop || source is null) return null;
        if (source.ReadsOnce) return pipe is not null && pipe.Feed.Parameters != null ? FromPipe(pipe, source, sink, muxer, subject) : null;
        void* input = null;
        if (LibAv.avformat_open_input(&input, source.Path, null, null) < 0) return null;
        bool keep = false;
        try
        {
            if (LibAv.avformat_find_stream_info(input, null) < 0) return null;
            int index = LibAv.av_find_best_stream(input, LibAv.MediaAudio, -1, -1, null, 0);
            if (index < 0) return null;
            void* par = LibAv.Read<nint>(Stream(input, index), LibAv.StreamCodecpar).ToPointer();
            var (name, reencoder) = Plan(par, LibAv.Read<Rational>(Stream(input, index), LibAv.StreamTimeBase), sink, muxer, subject);
            var rate = LibAv.Read<Rational>(Stream(input, index), LibAv.StreamTimeBase);
            long start = LibAv.Read<long>(input, LibAv.FormatStartTime);
            long originUs = (start == LibAv.NoPts ? 0 : start) + (long)((source.Start ?? TimeSpan.Zero).Ticks / 10);
            long origin = Rational.Rescale(originUs, LibAv.Microseconds, rate);
            long end = source.Duration is { } d ? origin + Rational.Rescale(d.Ticks / 10, LibAv.Microseconds, rate) : long.MaxValue;
            if (source.Start is { } s && s > TimeSpan.Zero)
                LibAv.avformat_seek_file(input, index, long.MinValue, origin, origin, LibAv.SeekBackward);
            keep = true;
            return new AudioTrack(input, index, origin, end) { CodecName = name, _trimmed = source.Start is { } t && t > TimeSpan.Zero, _reencoder = reencoder };
        }
        finally
        {
            if (!keep) LibAv.avformat_close_input(&input);
        }
    }

    private static AudioTrack FromPipe(AudioFeed.Subscription pipe, FileSourceSpec source, MediaSinkSpec sink, void* muxer, string subject)
    {
        var feed = pipe.Feed;
        var (name, reencoder) = Plan(feed.Parameters, feed.TimeBase, sink, muxer, subject);
        long end = source.Duration is { } d ? feed.Origin + Rational.Rescale(d.Ticks / 10, LibAv.Microseconds, feed.TimeBase) : long.MaxValue;
        return new AudioTrack(pipe, end) { CodecName = name, _reencoder = reencoder };
    }

    // Copy or re-encode (and which refusals apply), for the input audio described by par.
    private static (string Name, AudioReencoder? Reencoder) Plan(void* par, Rational timeBase, MediaSinkSpec sink, void* muxer, string subject)
    {
        int codecId = LibAv.Read<int>(par, LibAv.ParCodecId);
        string name = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)LibAv.avcodec_get_name(codecId)) ?? "audio";
        if (MediaFormats.CarriesOneStream(muxer))
            throw new PipelineSpecException(subject, $"an {MediaFormats.MuxerName(muxer)} stream carries the video only, and the input has {name} audio; give audio: drop, or send format: rtp_mpegts (or mpegts over udp://), which carries both");
        bool copyable = MediaFormats.CanCopy(muxer, codecId);
        if (sink.Audio == AudioMode.Copy && !copyable)
            throw new PipelineSpecException(subject, $"audio: copy — a {MediaFormats.MuxerName(muxer)} file cannot hold the input's {name} audio; use audio: encode (or leave audio: out) to re-encode it, or audio: drop");
        if (sink.Audio != AudioMode.Encode && copyable) return (name, null);
        var (encoderName, _, _) = MediaFormats.AudioEncoder(muxer);
        bool globalHeader = (LibAv.Read<int>(muxer, LibAv.OutputFlags) & LibAv.FmtGlobalHeader) != 0;
        return (name, new AudioReencoder(par, timeBase, encoderName, globalHeader));
    }

    /// <summary>Adds the output stream (a copy of the input's parameters).</summary>
    public void AddTo(OutputMuxer muxer)
    {
        _outStream = muxer.AddStream();
        void* dst = LibAv.Read<nint>(_outStream, LibAv.StreamCodecpar).ToPointer();
        if (_reencoder is not null)
        {
            if (LibAv.avcodec_parameters_from_context(dst, _reencoder.Encoder) < 0) throw new OutOfMemoryException("FFmpeg could not describe the audio");
            LibAv.Write(_outStream, LibAv.StreamTimeBase, _reencoder.TimeBase);
            return;
        }
        if (LibAv.avcodec_parameters_copy(dst, _par) < 0) throw new OutOfMemoryException("FFmpeg could not copy the audio parameters");
        LibAv.Write(dst, LibAv.ParCodecTag, 0); // let the output container pick its own tag for the codec
        LibAv.Write(_outStream, LibAv.StreamTimeBase, _inTb);
    }

    /// <summary>Writes the audio packets that start before <paramref name="until"/> (output seconds).</summary>
    public void WriteUntil(OutputMuxer muxer, double until)
    {
        var outTb = OutputMuxer.TimeBaseOf(_outStream);
        int outIndex = OutputMuxer.IndexOf(_outStream);
        if (double.IsPositiveInfinity(until)) _final = true; // the video ended: what the pipe has brought is all there is
        while (true)
        {
            if (!_pending && !ReadNext())
            {
                if (_done && double.IsPositiveInfinity(until) && _reencoder is not null && !_flushed)
                {
                    _flushed = true;
                    _reencoder.Feed(null, p => WriteEncoded(muxer, (void*)p, outTb, outIndex));
                }
                return;
            }
            long pts = LibAv.Read<long>(_packet, LibAv.PacketPts);
            if ((pts - _origin) * _inTb.Value > until) return;
            _pending = false;
            if (_trimmed && pts < _origin)
            {
                LibAv.av_packet_unref(_packet); // starts before start: (the video's first frame is the one at start:)
                continue;
            }
            long dts = LibAv.Read<long>(_packet, LibAv.PacketDts);
            if (_reencoder is not null)
            {
                LibAv.Write(_packet, LibAv.PacketPts, pts - _origin);
                if (dts != LibAv.NoPts) LibAv.Write(_packet, LibAv.PacketDts, dts - _origin);
                _reencoder.Feed(_packet, p => WriteEncoded(muxer, (void*)p, outTb, outIndex));
                LibAv.av_packet_unref(_packet);
                continue;
            }
            LibAv.Write(_packet, LibAv.PacketPts, Rational.Rescale(pts - _origin, _inTb, outTb));
            if (dts != LibAv.NoPts) LibAv.Write(_packet, LibAv.PacketDts, Rational.Rescale(dts - _origin, _inTb, outTb));
            LibAv.Write(_packet, LibAv.PacketDuration, Rational.Rescale(LibAv.Read<long>(_packet, LibAv.PacketDuration), _inTb, outTb));
            LibAv.Write(_packet, LibAv.PacketPos, -1L);
            LibAv.Write(_packet, LibAv.PacketStreamIndex, OutputMuxer.IndexOf(_outStream));
            muxer.Write(_packet);
            LibAv.av_packet_unref(_packet);
        }
    }

    private void WriteEncoded(OutputMuxer muxer, void* packet, Rational outTb, int index)
    {
        LibAv.av_packet_rescale_ts(packet, _reencoder!.TimeBase, outTb);
        LibAv.Write(packet, LibAv.PacketStreamIndex, index);
        muxer.Write(packet);
    }

    // Next audio packet of the input into _packet (pending); false at its end or past end:.
    private bool ReadNext()
    {
        while (true)
        {
            if (_pipe is not null)
            {
                bool completed = _pipe.Feed.Completed; // read before the queue: a packet published before completion is never missed
                if (!_pipe.TryTake(out void* next))
                {
                    if (completed || _final) _done = true;
                    return false;
                }
                LibAv.av_packet_move_ref(_packet, next);
                LibAv.av_packet_free(&next);
            }
            else if (LibAv.av_read_frame(_input, _packet) < 0) { _done = true; return false; }
            if ((_pipe is null && LibAv.Read<int>(_packet, LibAv.PacketStreamIndex) != _index) || LibAv.Read<long>(_packet, LibAv.PacketPts) == LibAv.NoPts)
            {
                LibAv.av_packet_unref(_packet);
                continue;
            }
            if (LibAv.Read<long>(_packet, LibAv.PacketPts) >= _end)
            {
                LibAv.av_packet_unref(_packet);
                _done = true;
                return false;
            }
            _pending = true;
            return true;
        }
    }

    private static void* Stream(void* format, int index) => ((nint*)LibAv.Read<nint>(format, LibAv.FormatStreams))[index].ToPointer();

    public void Dispose()
    {
        _reencoder?.Dispose();
        _reencoder = null;
        _pipe?.Dispose();
        _pipe = null;
        fixed (void** p = &_packet) LibAv.av_packet_free(p);
        fixed (void** p = &_input) if (_input != null) LibAv.avformat_close_input(p);
    }
}
