using System.Collections.Concurrent;
using VideoConv.Core.Imaging;

namespace VideoConv.Pipeline.Frames;

/// <summary>
/// Frames of one format, reused: after warm-up a run allocates no frame memory. The number created is
/// bounded by what can be in flight (queue capacities plus one per stage), not by the length of the run.
/// </summary>
internal sealed class FramePool : IDisposable
{
    private readonly ConcurrentQueue<Frame> _free = new();
    private long _created, _rented, _returned;
    private volatile bool _disposed;

    public FramePool(ImageFormat format, bool planar = false)
    {
        format.Validate();
        Format = format;
        Planar = planar;
    }

    public ImageFormat Format { get; }

    /// <summary>Frames of this pool hold YUV planes (<see cref="Frame.Planes"/>) instead of BGR pixels.</summary>
    public bool Planar { get; }

    /// <summary>Frames (and native Mat headers) ever created by this pool.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Frames currently held by someone (rented and not yet returned).</summary>
    public long Outstanding => Interlocked.Read(ref _rented) - Interlocked.Read(ref _returned);

    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>
    /// Creates <paramref name="count"/> frames now and writes their pixels once, so the run's first frames find them
    /// ready: a fresh frame's memory is mapped by the kernel page by page at its first write (675 pages for 720p BGR),
    /// which a live run otherwise pays inside its first frames. Planar frames borrow the decoder's planes: none made.
    /// </summary>
    public void Prefill(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Planar) return;
        for (int i = 0; i < count; i++)
        {
            var frame = new Frame(this, Format);
            Interlocked.Increment(ref _created);
            frame.Image.Data.AsSpan().Clear();
            _free.Enqueue(frame);
        }
    }

    /// <summary>A frame with one reference, owned by the caller.</summary>
    public Frame Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_free.TryDequeue(out var frame))
        {
            frame = new Frame(this, Format);
            Interlocked.Increment(ref _created);
        }
        frame.ResetReferences();
        frame.Sequence = -1;
        frame.CaptureTimestamp = 0;
        Interlocked.Increment(ref _rented);
        return frame;
    }

    internal void Return(Frame frame)
    {
        Interlocked.Increment(ref _returned);
        _free.Enqueue(frame);
        // Disposed meanwhile: whoever sees the flag after enqueueing frees what is idle.
        if (_disposed)
            while (_free.TryDequeue(out var idle)) idle.Dispose();
    }

    /// <summary>Disposes the idle frames (their Mats are native objects); frames still held are disposed when returned.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_free.TryDequeue(out var frame)) frame.Dispose();
    }
}
