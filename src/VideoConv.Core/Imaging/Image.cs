namespace VideoConv.Core.Imaging;

/// <summary>Size and channel count of an 8-bit interleaved frame (height × width × channels).</summary>
public readonly record struct ImageFormat(int Width, int Height, int Channels)
{
    /// <summary>Bytes in one row; rows are packed, with no padding.</summary>
    public int RowBytes => Width * Channels;

    /// <summary>Bytes in the whole frame.</summary>
    public long TotalBytes => (long)Width * Height * Channels;

    /// <summary>Throws <see cref="ArgumentException"/> unless the format is one the engine handles.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"frame size {Width}x{Height} is empty");
        if (Channels is not (1 or 2 or 3 or 4))
            throw new ArgumentException($"{Channels} channels: only 1, 2, 3 or 4 are supported");
        if (TotalBytes > Image.MaxBytes)
            throw new ArgumentException($"frame {Width}x{Height}x{Channels} needs {TotalBytes} bytes, over the {Image.MaxBytes} byte limit");
    }

    public override string ToString() => $"{Width}x{Height}x{Channels}";
}

/// <summary>
/// An 8-bit interleaved frame in pinned memory, so native code (OpenCV <c>Mat</c> headers) can share
/// it without copying.
/// </summary>
public sealed class Image
{
    /// <summary>Largest frame the engine will allocate (1 GiB): larger requests are refused, not attempted.</summary>
    public const long MaxBytes = 1L << 30;

    public Image(ImageFormat format)
    {
        format.Validate();
        Format = format;
        // Pinned (POH) so a Mat header or a native writer can point into it for the frame's lifetime.
        Data = GC.AllocateUninitializedArray<byte>(checked((int)format.TotalBytes), pinned: true);
    }

    public Image(int width, int height, int channels) : this(new ImageFormat(width, height, channels)) { }

    private Image(ImageFormat format, byte[] buffer)
    {
        Format = format;
        Data = buffer;
    }

    private Image(ImageFormat format, IntPtr pixels)
    {
        Format = format;
        Data = [];
        _external = pixels;
    }

    private readonly IntPtr _external;

    /// <summary>
    /// A frame over packed rows (<see cref="ImageFormat.RowBytes"/> apart) in memory the caller owns and keeps alive
    /// while the image is used — a decoder's plane, an encoder's buffer — so the engine filters it in place without a
    /// copy. Such an image has an empty <see cref="Data"/>: only <see cref="Pointer"/> reaches its pixels.
    /// </summary>
    public static Image Over(ImageFormat format, IntPtr pixels)
    {
        format.Validate();
        if (pixels == IntPtr.Zero) throw new ArgumentNullException(nameof(pixels));
        return new Image(format, pixels);
    }

    /// <summary>True for an image made by <see cref="Over"/> (its pixels are not in <see cref="Data"/>).</summary>
    public bool IsExternal => _external != IntPtr.Zero;

    /// <summary>A pinned buffer for <see cref="View"/>s of up to <paramref name="bytes"/> bytes.</summary>
    internal static byte[] AllocateBuffer(long bytes) => GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);

    /// <summary>
    /// A frame of <paramref name="format"/> over the start of a shared pinned buffer at least that large (a chain's
    /// ping-pong intermediates); <see cref="Data"/> may then be longer than the frame. Internal: frames handed to
    /// users always have <see cref="Data"/> of exactly <see cref="ImageFormat.TotalBytes"/>.
    /// </summary>
    internal static Image View(ImageFormat format, byte[] buffer)
    {
        format.Validate();
        if (buffer.Length < format.TotalBytes) throw new ArgumentException($"buffer of {buffer.Length} bytes is too small for a {format} frame", nameof(buffer));
        return new Image(format, buffer);
    }

    public ImageFormat Format { get; }
    public int Width => Format.Width;
    public int Height => Format.Height;
    public int Channels => Format.Channels;
    public int RowBytes => Format.RowBytes;

    /// <summary>The pixels, row-major, channels interleaved; the array is pinned.</summary>
    public byte[] Data { get; }

    public Span<byte> Row(int y) => Data.AsSpan(y * RowBytes, RowBytes);

    public ref byte At(int y, int x, int c) => ref Data[(y * Width + x) * Channels + c];

    /// <summary>Address of the first pixel; valid for the image's lifetime because the buffer is pinned.</summary>
    public unsafe IntPtr Pointer => _external != IntPtr.Zero ? _external : (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Data[0]);
}
