using OpenCvSharp;
using VideoConv.Core.Imaging;

namespace VideoConv.Pipeline.Frames;

/// <summary>
/// One pooled frame: an engine <see cref="Image"/> and an OpenCV <see cref="Mat"/> header over the same
/// pinned pixels (no copy to change types), plus capture metadata and a reference count.
/// </summary>
/// <remarks>
/// Ownership: whoever holds a reference may read the pixels; a frame written into a channel is never
/// touched again by its writer. Each holder calls <see cref="Release"/> exactly once; the last release
/// returns the frame to its pool. Fan-out to n sinks is expressed as <see cref="Retain"/>(n - 1).
/// </remarks>
internal sealed class Frame : IDisposable
{
    private static long s_liveMats;
    private int _refs;
    private int _disposed;

    /// <summary>Native Mat headers held by frames in this process right now (tests check nothing leaks).</summary>
    public static long LiveMats => Interlocked.Read(ref s_liveMats);

    internal Frame(FramePool pool, ImageFormat format)
    {
        Pool = pool;
        if (pool.Planar)
        {
            Planes = new FramePlanes();
            return;
        }
        _image = new Image(format);
        _mat = Mat.FromPixelData(format.Height, format.Width, MatType.CV_8UC(format.Channels), _image.Pointer);
        Interlocked.Increment(ref s_liveMats);
    }

    private readonly Image? _image;
    private readonly Mat? _mat;

    public FramePool Pool { get; }

    /// <summary>The BGR (or grey) pixels; a YUV frame (<see cref="Planes"/>) has none.</summary>
    public Image Image => _image ?? throw new InvalidOperationException("a YUV frame (space: yuv) holds planes, not a BGR image");

    /// <summary>A header over <see cref="Image"/>'s pixels; never reallocate it (check <see cref="SharesImage"/> after native writes).</summary>
    public Mat Mat => _mat ?? throw new InvalidOperationException("a YUV frame (space: yuv) holds planes, not a BGR image");

    /// <summary>The frame's size; for a YUV frame width × height × 3 (three planes, 4:2:0).</summary>
    public ImageFormat Format => _image?.Format ?? Pool.Format;

    /// <summary>The decoder's or the engine's planes of a YUV frame (<c>space: yuv</c>); null for a BGR frame.</summary>
    public FramePlanes? Planes { get; }

    /// <summary>0-based index of the source frame this frame was made from.</summary>
    public long Sequence { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the source captured the frame; carried through filtering.</summary>
    public long CaptureTimestamp { get; set; }

    /// <summary>Marks a frame without a presentation time (the source stage then stamps one).</summary>
    public const long NoPts = long.MinValue;

    /// <summary>Presentation time in <see cref="TimeBase"/> ticks, relative to the start of the source (FFmpeg's pts); <see cref="NoPts"/> until stamped.</summary>
    public long Pts { get; set; } = NoPts;

    /// <summary>How long the frame is shown, in <see cref="TimeBase"/> ticks; 0 when unknown.</summary>
    public long Duration { get; set; }

    /// <summary>The unit of <see cref="Pts"/> and <see cref="Duration"/>: the input stream's time base, or 1/fps for sources without timestamps.</summary>
    public Media.Rational TimeBase { get; set; }

    /// <summary>Copies what identifies the source frame (sequence, capture time, presentation time) onto a frame made from it.</summary>
    public void CopyStampsFrom(Frame source)
    {
        Sequence = source.Sequence;
        CaptureTimestamp = source.CaptureTimestamp;
        Pts = source.Pts;
        Duration = source.Duration;
        TimeBase = source.TimeBase;
    }

    internal int References => Volatile.Read(ref _refs);

    /// <summary>True while the Mat still points at the Image (OpenCV reallocates a Mat whose size or type does not match what it writes).</summary>
    public bool SharesImage => _mat is not null && _mat.Data == _image!.Pointer;

    internal void ResetReferences() => Volatile.Write(ref _refs, 1);

    /// <summary>Adds <paramref name="count"/> references (one per extra consumer).</summary>
    public void Retain(int count = 1)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (count > 0) Interlocked.Add(ref _refs, count);
    }

    /// <summary>Drops one reference; the last one returns the frame to its pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _refs);
        if (left == 0)
        {
            Planes?.Clear();
            Pool.Return(this);
        }
        else if (left < 0) throw new InvalidOperationException($"frame {Sequence} released more often than it was retained");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Planes?.Dispose();
        if (_mat is null) return;
        _mat.Dispose();
        Interlocked.Decrement(ref s_liveMats);
    }
}
