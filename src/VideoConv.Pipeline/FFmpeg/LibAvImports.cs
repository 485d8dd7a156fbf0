using System.Runtime.InteropServices;
using VideoConv.Pipeline.Media;

namespace VideoConv.Pipeline.FFmpeg;

// The entry points of the FFmpeg libraries that the media layer calls (signatures of FFmpeg 5.1, unchanged in 6.x and 7.x).
internal static unsafe partial class LibAv
{
    [LibraryImport(Format)] public static partial uint avformat_version();
    [LibraryImport(Codec)] public static partial uint avcodec_version();
    [LibraryImport(Util)] public static partial uint avutil_version();
    [LibraryImport(Scale)] public static partial uint swscale_version();
    [LibraryImport(Resample)] public static partial uint swresample_version();
    [LibraryImport(Scale)] public static partial void* sws_getContext(int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat, int flags, void* srcFilter, void* dstFilter, double* param);
    [LibraryImport(Scale)] public static partial int sws_scale(void* ctx, byte** src, int* srcStride, int srcSliceY, int srcSliceH, byte** dst, int* dstStride);
    [LibraryImport(Scale)] public static partial void sws_freeContext(void* ctx);
    [LibraryImport(Scale)] public static partial int sws_getColorspaceDetails(void* ctx, int** invTable, int* srcRange, int** table, int* dstRange, int* brightness, int* contrast, int* saturation);
    [LibraryImport(Scale)] public static partial int sws_setColorspaceDetails(void* ctx, int* invTable, int srcRange, int* table, int dstRange, int brightness, int contrast, int saturation);
    [LibraryImport(Scale)] public static partial int* sws_getCoefficients(int colorspace);
    [LibraryImport(Util)] private static partial void av_log_set_level(int level);
    [LibraryImport(Util)] private static partial int av_strerror(int code, byte* buffer, nuint size);
    [LibraryImport(Util)] public static partial Rational av_d2q(double value, int max);

    // Demuxing and decoding
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_open_input(void** ctx, string url, void* fmt, void** options);
    [LibraryImport(Format)] public static partial int avformat_find_stream_info(void* ctx, void** options);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial void* av_find_input_format(string shortName);
    [LibraryImport(Format)] public static partial int av_find_best_stream(void* ctx, int type, int wanted, int related, void** decoder, int flags);
    [LibraryImport(Format)] public static partial Rational av_guess_frame_rate(void* ctx, void* stream, void* frame);
    [LibraryImport(Format)] public static partial int av_read_frame(void* ctx, void* packet);
    [LibraryImport(Format)] public static partial byte* av_stream_get_side_data(void* stream, int type, nuint* size);
    [LibraryImport(Util)] public static partial double av_display_rotation_get(int* matrix);
    [LibraryImport(Format)] public static partial void avformat_close_input(void** ctx);
    [LibraryImport(Codec)] public static partial void* avcodec_alloc_context3(void* codec);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_to_context(void* ctx, void* par);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_from_context(void* par, void* ctx);
    [LibraryImport(Codec)] public static partial int avcodec_open2(void* ctx, void* codec, void** options);
    [LibraryImport(Codec)] public static partial void avcodec_free_context(void** ctx);
    [LibraryImport(Codec)] public static partial int avcodec_send_packet(void* ctx, void* packet);
    [LibraryImport(Codec)] public static partial int avcodec_receive_frame(void* ctx, void* frame);
    [LibraryImport(Codec)] public static partial void* av_packet_alloc();
    [LibraryImport(Codec)] public static partial void av_packet_unref(void* packet);
    [LibraryImport(Codec)] public static partial void av_packet_free(void** packet);
    [LibraryImport(Codec)] public static partial void av_packet_rescale_ts(void* packet, Rational from, Rational to);
    [LibraryImport(Util)] public static partial void* av_frame_alloc();
    [LibraryImport(Util)] public static partial void av_frame_free(void** frame);
    [LibraryImport(Util)] public static partial void av_frame_unref(void* frame);
    [LibraryImport(Util)] public static partial int av_frame_get_buffer(void* frame, int align);
    [LibraryImport(Util)] public static partial int av_frame_make_writable(void* frame);

    // Choosing codecs and muxers, options
    [LibraryImport(Codec, StringMarshalling = StringMarshalling.Utf8)] public static partial void* avcodec_find_encoder_by_name(string name);
    [LibraryImport(Codec)] public static partial void* avcodec_find_decoder(int id);
    [LibraryImport(Codec)] public static partial byte* avcodec_get_name(int id);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial void* av_guess_format(string? shortName, string? fileName, string? mimeType);
    [LibraryImport(Format)] public static partial int avformat_query_codec(void* oformat, int codecId, int compliance);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set(void* obj, string name, string value, int flags);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set_int(void* obj, string name, long value, int flags);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial void* av_opt_find(void* obj, string name, string? unit, int optFlags, int searchFlags);
    [LibraryImport(Format)] public static partial int avformat_network_init();

    // Timestamps, seeking, stream copy
    [LibraryImport(Format)] public static partial int avformat_seek_file(void* ctx, int stream, long minTs, long ts, long maxTs, int flags);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_copy(void* dst, void* src);
    [LibraryImport(Codec)] public static partial void* avcodec_parameters_alloc();
    [LibraryImport(Codec)] public static partial void avcodec_parameters_free(void** par);
    [LibraryImport(Codec)] public static partial void avcodec_flush_buffers(void* ctx);

    // Audio: channel layouts, resampling, sample FIFOs
    [LibraryImport(Util)] public static partial int av_channel_layout_copy(void* dst, void* src);
    [LibraryImport(Util)] public static partial void av_channel_layout_default(void* layout, int channels);
    [LibraryImport(Util)] public static partial void av_channel_layout_uninit(void* layout);
    [LibraryImport(Resample)] public static partial int swr_alloc_set_opts2(void** swr, void* outLayout, int outFormat, int outRate, void* inLayout, int inFormat, int inRate, int logOffset, void* logCtx);
    [LibraryImport(Resample)] public static partial int swr_init(void* swr);
    [LibraryImport(Resample)] public static partial int swr_convert(void* swr, byte** output, int outCount, byte** input, int inCount);
    [LibraryImport(Resample)] public static partial void swr_free(void** swr);
    [LibraryImport(Util)] public static partial void* av_audio_fifo_alloc(int sampleFormat, int channels, int samples);
    [LibraryImport(Util)] public static partial int av_audio_fifo_write(void* fifo, void** data, int samples);
    [LibraryImport(Util)] public static partial int av_audio_fifo_read(void* fifo, void** data, int samples);
    [LibraryImport(Util)] public static partial int av_audio_fifo_size(void* fifo);
    [LibraryImport(Util)] public static partial void av_audio_fifo_free(void* fifo);

    // Encoding and muxing
    [LibraryImport(Codec)] public static partial void* avcodec_find_encoder(int id);
    [LibraryImport(Codec)] public static partial int avcodec_send_frame(void* ctx, void* frame);
    [LibraryImport(Codec)] public static partial int avcodec_receive_packet(void* ctx, void* packet);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_alloc_output_context2(void** ctx, void* format, string? formatName, string fileName);
    [LibraryImport(Format)] public static partial void* avformat_new_stream(void* ctx, void* codec);
    [LibraryImport(Format)] public static partial int avio_closep(void** pb);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avio_open2(void** pb, string url, int flags, void* interruptCallback, void** options);
    [LibraryImport(Format)] public static partial byte* avio_enum_protocols(void** opaque, int output);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_dict_set(void** dict, string key, string value, int flags);
    [LibraryImport(Util)] public static partial void av_dict_free(void** dict);
    [LibraryImport(Format)] public static partial int avformat_write_header(void* ctx, void** options);
    [LibraryImport(Format)] public static partial int av_interleaved_write_frame(void* ctx, void* packet);
    [LibraryImport(Format)] public static partial int av_write_trailer(void* ctx);
    [LibraryImport(Format)] public static partial void avformat_free_context(void* ctx);
    [LibraryImport(Format)] public static partial int av_write_frame(void* ctx, void* packet);
    [LibraryImport(Codec)] public static partial int av_packet_ref(void* dst, void* src);
    [LibraryImport(Codec)] public static partial void* av_packet_clone(void* src);
    [LibraryImport(Codec)] public static partial void av_packet_move_ref(void* dst, void* src);
}
