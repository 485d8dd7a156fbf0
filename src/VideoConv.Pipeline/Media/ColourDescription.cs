using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// A video stream's colour description — range, primaries, transfer, matrix (FFmpeg's AVColorRange, AVColorPrimaries,
/// AVColorTransferCharacteristic, AVColorSpace numbers) — read from the input stream and carried to the output's, and
/// the YUV ↔ BGR conversions made with its matrix and range, so a BT.709 limited-range clip stays BT.709 limited-range.
/// </summary>
/// <remarks>
/// Decoding follows FFmpeg's CLI (its scale filter's <c>in_color_matrix=auto</c>): the stream's own matrix and range,
/// BT.601 where unspecified, so frames stay bit-identical to <c>ffmpeg -pix_fmt bgr24</c>. Encoding converts back with
/// the same matrix and range — where FFmpeg's CLI would use BT.601 for any BGR input and only tag the stream.
/// </remarks>
internal readonly record struct ColourDescription(int Range, int Primaries, int Transfer, int Matrix)
{
    public const int RangeUnspecified = 0, RangeLimited = 1, RangeFull = 2, Unspecified = 2;

    /// <summary>Nothing known (pattern, images, cameras, standard input): encoders keep their defaults.</summary>
    public static ColourDescription None => new(RangeUnspecified, Unspecified, Unspecified, Unspecified);

    public bool IsKnown => this != None;

    /// <summary>The description in a stream's codec parameters (AVCodecParameters*).</summary>
    public static unsafe ColourDescription Of(void* par) => new(
        LibAv.Read<int>(par, LibAv.ParColorRange), LibAv.Read<int>(par, LibAv.ParColorPrimaries),
        LibAv.Read<int>(par, LibAv.ParColorTrc), LibAv.Read<int>(par, LibAv.ParColorSpace));

    /// <summary>The description of a file source's video stream; <see cref="None"/> for standard input or what cannot be read.</summary>
    public static ColourDescription Probe(FileSourceSpec? source) =>
        source is null ? None : Sources.LibAvFileSource.ProbeColour(source) ?? None;

    /// <summary>Tags an encoder (AVCodecContext*, before opening) with the description; the muxer copies it to the stream.</summary>
    /// <param name="keepRange">False where the pixel format fixes the range itself (yuvj420p for MJPEG: full).</param>
    public unsafe void Tag(void* encoder, bool keepRange)
    {
        if (keepRange) LibAv.Write(encoder, LibAv.CtxColorRange, Range);
        LibAv.Write(encoder, LibAv.CtxColorPrimaries, Primaries);
        LibAv.Write(encoder, LibAv.CtxColorTrc, Transfer);
        LibAv.Write(encoder, LibAv.CtxColorSpace, Matrix);
    }

    /// <summary>YUV → BGR (decoding): the stream's matrix and range on the source side of <paramref name="sws"/>.</summary>
    public unsafe void ConvertFrom(void* sws) => Details(sws, source: true, keepRange: true);

    /// <summary>BGR → YUV (encoding): the same matrix (and range, with <paramref name="keepRange"/>) on the destination side of <paramref name="sws"/>.</summary>
    public unsafe void ConvertTo(void* sws, bool keepRange) => Details(sws, source: false, keepRange);

    private unsafe void Details(void* sws, bool source, bool keepRange)
    {
        // As FFmpeg's scale filter: matrices it has no table for (unspecified, RGB, YCgCo…) are BT.601 (BT.470BG).
        int* table = LibAv.sws_getCoefficients(Matrix is >= 1 and <= 10 and not 8 ? Matrix : 5);
        int brightness = 0, contrast = 1 << 16, saturation = 1 << 16; // libswscale's neutral values
        if (source)
        {
            // YUV → BGR: the stream's range where it says one, else the pixel format's (yuvj420p: full), as libswscale read it.
            int* inTable, outTable;
            int inFull, outFull;
            if (LibAv.sws_getColorspaceDetails(sws, &inTable, &inFull, &outTable, &outFull, &brightness, &contrast, &saturation) < 0) return;
            if (Range != RangeUnspecified) inFull = Range == RangeFull ? 1 : 0;
            LibAv.sws_setColorspaceDetails(sws, table, inFull, table, outFull, brightness, contrast, saturation);
        }
        else
        {
            // BGR → YUV: libswscale will not report details of a conversion to YUV, so all are given. Both sides get the
            // same range flag: it range-converts again where they differ.
            int full = keepRange && Range == RangeFull ? 1 : 0;
            LibAv.sws_setColorspaceDetails(sws, table, full, table, full, brightness, contrast, saturation);
        }
    }
}
