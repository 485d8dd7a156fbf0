using System.Collections.Concurrent;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sources;

// What a file's video stream says without decoding it: its upright size, colour, rotation (for checks before the first frame).
internal sealed unsafe partial class LibAvFileSource
{
    /// <summary>The upright frame size of a file source's video (BGR), without decoding; null when the libraries cannot tell or the source is read once.</summary>
    public static ImageFormat? Probe(FileSourceSpec source) => Probed(source)?.Format;

    /// <summary>The colour description of a file source's video stream (range, primaries, transfer, matrix); null when the libraries cannot tell or the source is read once.</summary>
    public static ColourDescription? ProbeColour(FileSourceSpec source) => Probed(source)?.Colour;

    /// <summary>The pixel format (<c>AV_PIX_FMT_*</c>) and the upright turn (0, 90, 180, 270) of a file source's video; null as for <see cref="Probe"/>.</summary>
    public static (int PixelFormat, int Rotation)? ProbeLayout(FileSourceSpec source) => Probed(source) is { } p ? (p.PixelFormat, p.Rotation) : null;

    private readonly record struct ProbeResult(ImageFormat? Format, ColourDescription Colour, int PixelFormat, int Rotation);

    private readonly record struct ProbeKey(string Path, long Length, DateTime Written);

    // One probe per file version and process: validation, the plane rules, the sink's checks and the encoder's colour each
    // asked, and each probe is an open and a stream-info read (≈ 15 ms CPU for a 1080p H.264 MP4; 5 of 7 opens of a
    // file → file run were these). A file rewritten since (other length or time) is probed again.
    private static readonly ConcurrentDictionary<ProbeKey, ProbeResult?> s_probed = new();

    private static ProbeResult? Probed(FileSourceSpec source)
    {
        if (!LibAv.IsAvailable || source.ReadsOnce) return null;
        var file = new FileInfo(source.Path);
        if (!file.Exists) return null;
        var key = new ProbeKey(file.FullName, file.Length, file.LastWriteTimeUtc);
        if (s_probed.TryGetValue(key, out var known)) return known;
        var result = WithVideoStream<ProbeResult>(source, s =>
        {
            void* stream = (void*)s;
            void* par = LibAv.Read<nint>(stream, LibAv.StreamCodecpar).ToPointer();
            int w = LibAv.Read<int>(par, LibAv.ParWidth), h = LibAv.Read<int>(par, LibAv.ParHeight);
            int rotation = UprightRotation(stream);
            ImageFormat? format = w <= 0 || h <= 0 ? null : rotation is 90 or 270 ? new ImageFormat(h, w, 3) : new ImageFormat(w, h, 3);
            return new ProbeResult(format, ColourDescription.Of(par), LibAv.Read<int>(par, LibAv.ParFormat), rotation);
        });
        if (s_probed.Count >= 64) s_probed.Clear(); // a batch over many files: stay bounded
        s_probed[key] = result;
        return result;
    }

    // Opens a file's best video stream (AVStream*) for read, without decoding; null when there is none. A source read
    // once (standard input, a FIFO, a device) is never opened: it would lose what a probe reads, and a FIFO's writer
    // dies when the probe closes it.
    private static T? WithVideoStream<T>(FileSourceSpec source, Func<nint, T?> read) where T : struct
    {
        if (!LibAv.IsAvailable || source.ReadsOnce || !File.Exists(source.Path)) return null;
        void* format = null;
        if (LibAv.avformat_open_input(&format, source.Path, null, null) < 0) return null;
        try
        {
            if (LibAv.avformat_find_stream_info(format, null) < 0) return null;
            int index = LibAv.av_find_best_stream(format, LibAv.MediaVideo, -1, -1, null, 0);
            return index < 0 ? null : read(((nint*)LibAv.Read<nint>(format, LibAv.FormatStreams))[index]);
        }
        finally { LibAv.avformat_close_input(&format); }
    }

    // FFmpeg's autorotate: the display matrix's rotation, counter-clockwise, made a clockwise turn of 0/90/180/270.
    private static int UprightRotation(void* stream)
    {
        nuint size = 0;
        var matrix = LibAv.av_stream_get_side_data(stream, LibAv.SideDataDisplayMatrix, &size);
        if (matrix == null || size < 9 * sizeof(int)) return 0;
        double theta = -Math.Round(LibAv.av_display_rotation_get((int*)matrix));
        int turn = (int)(((theta % 360) + 360) % 360);
        return turn is 90 or 180 or 270 ? turn : 0;
    }
}
