using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// Re-encodes the input's audio for a container that cannot hold it as it is (AAC for MP4/MOV/TS, Opus for
/// WebM): decode → libswresample to the encoder's sample format, rate and layout → a sample FIFO cut into the
/// encoder's frame size → encode. Output timestamps count samples from the first decoded frame's time, so the
/// audio keeps its place against the video.
/// </summary>
internal sealed unsafe class AudioReencoder : IDisposable
{
    private void* _dec, _enc, _swr, _fifo, _decoded, _converted, _chunk, _out;
    private readonly int _rate, _format, _frameSize, _channels;
    private long _nextPts = long.MinValue;
    private readonly Rational _inTb;
    private const int MaxConverted = 1 << 16;

    public AudioReencoder(void* inputPar, Rational inputTb, string encoderName, bool globalHeader)
    {
        _inTb = inputTb;
        int codecId = LibAv.Read<int>(inputPar, LibAv.ParCodecId);
        var decoder = LibAv.avcodec_find_decoder(codecId);
        var encoder = LibAv.avcodec_find_encoder_by_name(encoderName);
        if (decoder == null) throw new InvalidOperationException("the installed FFmpeg cannot decode the input's audio");
        if (encoder == null) throw new InvalidOperationException($"the installed FFmpeg has no {encoderName} encoder for the audio; use audio: drop");
        _dec = LibAv.avcodec_alloc_context3(decoder);
        Check(LibAv.avcodec_parameters_to_context(_dec, inputPar), "read the audio parameters");
        LibAv.Write(_dec, LibAv.CtxPktTimebase, inputTb);
        Check(LibAv.avcodec_open2(_dec, decoder, null), "open the audio decoder");

        _enc = LibAv.avcodec_alloc_context3(encoder);
        int inRate = LibAv.Read<int>(_dec, LibAv.CtxSampleRate);
        _rate = PickRate(encoder, inRate);
        _format = *(int*)LibAv.Read<nint>(encoder, LibAv.CodecSampleFmts); // the encoder's preferred sample format
        int inChannels = LibAv.Read<int>((byte*)_dec + LibAv.CtxChLayout, LibAv.ChLayoutNbChannels);
        _channels = encoderName == "libopus" ? Math.Clamp(inChannels, 1, 2) : Math.Clamp(inChannels, 1, 8);
        if (_channels == inChannels) Check(LibAv.av_channel_layout_copy((byte*)_enc + LibAv.CtxChLayout, (byte*)_dec + LibAv.CtxChLayout), "set the audio layout");
        else LibAv.av_channel_layout_default((byte*)_enc + LibAv.CtxChLayout, _channels);
        LibAv.Write(_enc, LibAv.CtxSampleRate, _rate);
        LibAv.Write(_enc, LibAv.CtxSampleFmt, _format);
        LibAv.Write(_enc, LibAv.CtxTimeBase, new Rational(1, _rate));
        LibAv.Write(_enc, LibAv.CtxBitRate, 128_000L * Math.Min(_channels, 2) / 2);
        if (globalHeader) LibAv.Write(_enc, LibAv.CtxFlags, LibAv.Read<int>(_enc, LibAv.CtxFlags) | LibAv.FlagGlobalHeader);
        Check(LibAv.avcodec_open2(_enc, encoder, null), "open the audio encoder");
        int frameSize = LibAv.Read<int>(_enc, LibAv.CtxFrameSize);
        _frameSize = frameSize > 0 ? frameSize : 1024; // 0: the encoder takes any size

        void* swr = null;
        Check(LibAv.swr_alloc_set_opts2(&swr, (byte*)_enc + LibAv.CtxChLayout, _format, _rate,
            (byte*)_dec + LibAv.CtxChLayout, LibAv.Read<int>(_dec, LibAv.CtxSampleFmt), inRate, 0, null), "set up resampling");
        _swr = swr;
        Check(LibAv.swr_init(_swr), "set up resampling");
        _fifo = LibAv.av_audio_fifo_alloc(_format, _channels, _frameSize * 4);
        _decoded = LibAv.av_frame_alloc();
        _converted = NewFrame(MaxConverted);
        _chunk = NewFrame(_frameSize);
        _out = LibAv.av_packet_alloc();
    }

    public void* Encoder => _enc;
    public Rational TimeBase => new(1, _rate);

    private static int PickRate(void* encoder, int wanted)
    {
        int* rates = (int*)LibAv.Read<nint>(encoder, LibAv.CodecSupportedSampleRates);
        if (rates == null) return wanted;
        int best = rates[0];
        for (int* r = rates; *r != 0; r++)
        {
            if (*r == wanted) return wanted;
            if (Math.Abs(*r - wanted) < Math.Abs(best - wanted)) best = *r;
        }
        return best;
    }

    private void* NewFrame(int samples)
    {
        void* f = LibAv.av_frame_alloc();
        LibAv.Write(f, LibAv.FrameNbSamples, samples);
        LibAv.Write(f, LibAv.FrameFormat, _format);
        LibAv.Write(f, LibAv.FrameSampleRate, _rate);
        Check(LibAv.av_channel_layout_copy((byte*)f + LibAv.FrameChLayout, (byte*)_enc + LibAv.CtxChLayout), "set the audio layout");
        Check(LibAv.av_frame_get_buffer(f, 0), "allocate audio");
        return f;
    }

    /// <summary>Decodes one input packet (timestamps already relative to the output's origin, in the input's time base) and writes what the encoder finishes; null flushes everything.</summary>
    public void Feed(void* packet, Action<nint> write)
    {
        LibAv.avcodec_send_packet(_dec, packet); // a damaged audio packet is skipped, as FFmpeg does
        while (LibAv.avcodec_receive_frame(_dec, _decoded) == 0)
        {
            long pts = LibAv.Read<long>(_decoded, LibAv.FrameBestEffortTimestamp);
            if (_nextPts == long.MinValue) _nextPts = pts == LibAv.NoPts ? 0 : Rational.Rescale(pts, _inTb, TimeBase);
            Convert((byte**)LibAv.Read<nint>(_decoded, LibAv.FrameExtendedData), LibAv.Read<int>(_decoded, LibAv.FrameNbSamples));
            LibAv.av_frame_unref(_decoded);
            Encode(write, final: false);
        }
        if (packet != null) return;
        Convert(null, 0); // what the resampler still holds
        Encode(write, final: true);
        Check(LibAv.avcodec_send_frame(_enc, null), "finish the audio");
        Drain(write);
    }

    private void Convert(byte** input, int samples)
    {
        int n = LibAv.swr_convert(_swr, (byte**)LibAv.Read<nint>(_converted, LibAv.FrameExtendedData), MaxConverted, input, samples);
        Check(n, "resample the audio");
        if (n > 0 && LibAv.av_audio_fifo_write(_fifo, (void**)LibAv.Read<nint>(_converted, LibAv.FrameExtendedData), n) < n)
            throw new OutOfMemoryException("FFmpeg could not buffer the audio");
    }

    private void Encode(Action<nint> write, bool final)
    {
        while (LibAv.av_audio_fifo_size(_fifo) >= _frameSize || (final && LibAv.av_audio_fifo_size(_fifo) > 0))
        {
            int n = Math.Min(_frameSize, LibAv.av_audio_fifo_size(_fifo));
            Check(LibAv.av_frame_make_writable(_chunk), "buffer the audio");
            LibAv.av_audio_fifo_read(_fifo, (void**)LibAv.Read<nint>(_chunk, LibAv.FrameExtendedData), n);
            LibAv.Write(_chunk, LibAv.FrameNbSamples, n);
            LibAv.Write(_chunk, LibAv.FramePts, _nextPts == long.MinValue ? 0 : _nextPts);
            _nextPts = (_nextPts == long.MinValue ? 0 : _nextPts) + n;
            Check(LibAv.avcodec_send_frame(_enc, _chunk), "encode the audio");
            LibAv.Write(_chunk, LibAv.FrameNbSamples, _frameSize);
            Drain(write);
        }
    }

    private void Drain(Action<nint> write)
    {
        while (true)
        {
            int ret = LibAv.avcodec_receive_packet(_enc, _out);
            if (ret == LibAv.ErrorAgain || ret == LibAv.ErrorEof) return;
            Check(ret, "encode the audio");
            write((nint)_out);
            LibAv.av_packet_unref(_out);
        }
    }

    private static void Check(int ret, string what)
    {
        if (ret < 0) throw new IOException($"FFmpeg could not {what}: {LibAv.Error(ret)}");
    }

    public void Dispose()
    {
        fixed (void** p = &_dec) LibAv.avcodec_free_context(p);
        fixed (void** p = &_enc) LibAv.avcodec_free_context(p);
        fixed (void** p = &_swr) LibAv.swr_free(p);
        if (_fifo != null) LibAv.av_audio_fifo_free(_fifo);
        _fifo = null;
        fixed (void** p = &_decoded) LibAv.av_frame_free(p);
        fixed (void** p = &_converted) LibAv.av_frame_free(p);
        fixed (void** p = &_chunk) LibAv.av_frame_free(p);
        fixed (void** p = &_out) LibAv.av_packet_free(p);
    }
}
