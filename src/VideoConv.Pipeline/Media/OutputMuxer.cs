using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// One output container (libavformat muxer) over a file, standard output (<c>pipe:1</c>) or a url: streams are
/// added, the header written, packets written interleaved by time, the trailer written. Every call's result
/// is checked, including the I/O context's own error state, so a full disk fails the run
/// (<c>FILE: no space left on device</c>) instead of leaving a short file behind a success.
/// </summary>
internal sealed unsafe class OutputMuxer : IDisposable
{
    private void* _ctx;
    private readonly void* _oformat;
    private readonly string _display;
    private readonly string _target;
    private bool _headerWritten, _finished;

    /// <param name="oformat">The AVOutputFormat chosen by <see cref="MediaFormats.Muxer"/>.</param>
    /// <param name="target">What libavformat opens: a file path, <c>pipe:1</c> or a url.</param>
    /// <param name="display">How errors name the output (the user's path).</param>
    public OutputMuxer(void* oformat, string target, string display)
    {
        _oformat = oformat;
        _target = target;
        _display = display;
        void* ctx = null;
        Check(LibAv.avformat_alloc_output_context2(&ctx, oformat, null, target), "prepare");
        _ctx = ctx;
        if (IsStream && Name is "mp4" or "mov" or "ipod")
            // A pipe cannot be seeked back to write the index: fragmented MP4, as ffmpeg -movflags frag_keyframe+empty_moov.
            Check(LibAv.av_opt_set(_ctx, "movflags", "frag_keyframe+empty_moov+default_base_moof", LibAv.OptSearchChildren), "fragment");
    }

    public string Name => MediaFormats.MuxerName(_oformat);
    public bool IsStream => _target.StartsWith("pipe:", StringComparison.Ordinal) || _target.Contains("://", StringComparison.Ordinal);
    public bool WantsGlobalHeader => (LibAv.Read<int>(_oformat, LibAv.OutputFlags) & LibAv.FmtGlobalHeader) != 0;
    public void* Format => _oformat;

    /// <summary>Sets an option of the muxer (before <see cref="Start"/>).</summary>
    public void SetOption(string name, string value) => Check(LibAv.av_opt_set(_ctx, name, value, LibAv.OptSearchChildren), $"set {name} for");

    public void* AddStream()
    {
        var stream = LibAv.avformat_new_stream(_ctx, null);
        return stream != null ? stream : throw new OutOfMemoryException("FFmpeg could not add a stream");
    }

    public static Rational TimeBaseOf(void* stream) => LibAv.Read<Rational>(stream, LibAv.StreamTimeBase);
    public static int IndexOf(void* stream) => LibAv.Read<int>(stream, LibAv.StreamIndex);

    /// <summary>Opens the output and writes the header; the muxer may change each stream's time base here.</summary>
    /// <param name="ioOptions">Options of libavformat's protocol (a url's <c>rw_timeout</c>); null for files.</param>
    public void Start(IReadOnlyDictionary<string, string>? ioOptions = null)
    {
        if ((LibAv.Read<int>(_oformat, LibAv.OutputFlags) & LibAv.FmtNoFile) == 0)
        {
            void* options = null;
            try
            {
                foreach (var (key, value) in ioOptions ?? EmptyOptions) LibAv.av_dict_set(&options, key, value, 0);
                Check(LibAv.avio_open2((void**)((byte*)_ctx + LibAv.FormatPb), _target, LibAv.AvioWrite, null, &options), IsStream ? "connect to" : "create");
            }
            finally { LibAv.av_dict_free(&options); }
        }
        Check(LibAv.avformat_write_header(_ctx, null), "write the header of");
        _headerWritten = true;
    }

    /// <summary>Writes one packet (timestamps already in its stream's time base); takes its data (the packet is left blank).</summary>
    public void Write(void* packet) => Check(LibAv.av_interleaved_write_frame(_ctx, packet), "write");

    /// <summary>Writes the trailer and closes the output; throws if anything on the way failed to reach it.</summary>
    public void Finish()
    {
        if (_finished || !_headerWritten) return;
        _finished = true;
        Check(LibAv.av_write_trailer(_ctx), "finish");
        if ((LibAv.Read<int>(_oformat, LibAv.OutputFlags) & LibAv.FmtNoFile) == 0)
            Check(LibAv.avio_closep((void**)((byte*)_ctx + LibAv.FormatPb)), "close");
    }

    private static readonly Dictionary<string, string> EmptyOptions = [];

    private void Check(int ret, string what)
    {
        if (ret >= 0) return;
        if (ret == LibAv.ErrorNoSpace) throw new MediaWriteException($"{_display}: no space left on device", ret);
        throw new MediaWriteException($"FFmpeg could not {what} '{_display}': {LibAv.Error(ret)}", ret);
    }

    public void Dispose()
    {
        if (_ctx == null) return;
        if (_headerWritten && !_finished) LibAv.av_write_trailer(_ctx); // an abandoned output is discarded; this frees the muxer's queues
        if ((LibAv.Read<int>(_oformat, LibAv.OutputFlags) & LibAv.FmtNoFile) == 0) LibAv.avio_closep((void**)((byte*)_ctx + LibAv.FormatPb));
        LibAv.avformat_free_context(_ctx);
        _ctx = null;
    }
}

/// <summary>A write to an output (file, pipe or network) failed; <see cref="Code"/> is FFmpeg's error (a negative errno).</summary>
internal sealed class MediaWriteException(string message, int code) : IOException(message)
{
    public int Code { get; } = code;
}
