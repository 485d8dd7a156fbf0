using System.Runtime.InteropServices;

namespace VideoConv.Pipeline.FFmpeg;

// What the YUV-native path (space: yuv) needs beyond the media layer's calls: frame references, buffer pools, the
// AVFrame fields it reads or resets. Offsets of FFmpeg 5.1 (offsetof against the 5.1.9 headers); the buf[] offset is
// checked once at run time by PlaneLayoutCheck before any frame is composed from it.
internal static unsafe partial class LibAv
{
    // AVFrame
    public const int FramePictType = 124, FrameBuf = 224, FrameBufSlots = 8;
    // AVBufferRef
    public const int BufferRefData = 8, BufferRefSize = 16;

    [LibraryImport(Util)] public static partial int av_frame_ref(void* dst, void* src);
    [LibraryImport(Util)] public static partial void av_frame_move_ref(void* dst, void* src);
    [LibraryImport(Util)] public static partial void* av_buffer_pool_init(nuint size, void* alloc);
    [LibraryImport(Util)] public static partial void* av_buffer_pool_get(void* pool);
    [LibraryImport(Util)] public static partial void av_buffer_pool_uninit(void** pool);
    [LibraryImport(Util)] public static partial void av_buffer_unref(void** buffer);
    [LibraryImport(Util)] private static partial byte* av_get_pix_fmt_name(int format);

    /// <summary>FFmpeg's name of a pixel format (<c>nv12</c>, <c>yuv420p10le</c>), for messages.</summary>
    public static string PixelFormatName(int format) => Marshal.PtrToStringUTF8((nint)av_get_pix_fmt_name(format)) ?? $"pixel format {format}";
}
