using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Frames;

/// <summary>
/// Packed plane buffers of one size from an FFmpeg buffer pool (<c>AVBufferPool</c>): what a filter writes a frame's
/// plane into before <see cref="FramePlanes.SetPlane"/> hands the buffer's reference to the frame, and so, by
/// reference, to the encoder. 64 bytes of slack past each plane for SIMD readers.
/// </summary>
internal sealed unsafe class PlanePool : IDisposable
{
    private void* _pool;

    public PlanePool(long bytes)
    {
        _pool = LibAv.av_buffer_pool_init((nuint)(bytes + 64), null);
        if (_pool == null) throw new OutOfMemoryException("FFmpeg could not make a plane pool");
    }

    /// <summary>A buffer (an <c>AVBufferRef</c> the caller owns until it passes it on or unrefs it).</summary>
    public void* Take()
    {
        void* buffer = LibAv.av_buffer_pool_get(_pool);
        return buffer != null ? buffer : throw new OutOfMemoryException("FFmpeg could not allocate a plane");
    }

    /// <summary>The pixels of a buffer from <see cref="Take"/>.</summary>
    public static byte* Data(void* buffer) => (byte*)LibAv.Read<nint>(buffer, LibAv.BufferRefData);

    public void Dispose()
    {
        // Buffers still held (by an encoder) stay valid: the pool is freed when the last one returns.
        if (_pool != null) fixed (void** p = &_pool) LibAv.av_buffer_pool_uninit(p);
    }
}
