using VideoConv.Core.Imaging;

namespace VideoConv.Core.Convolution;

/// <summary>A filter bound to one input frame format: reads a source frame, writes a destination frame of <see cref="Output"/> format.</summary>
public interface IFrameFilter
{
    ImageFormat Input { get; }
    ImageFormat Output { get; }

    /// <summary>Which execution path the factory chose (e.g. "separable", "direct"), for logs and benchmarks.</summary>
    string Path { get; }

    /// <summary>Filters <paramref name="src"/> into <paramref name="dst"/>; they must not be the same image.</summary>
    void Apply(Image src, Image dst);
}

/// <summary>
/// A filter that can compute any range of its output rows from the source rows that range reads — what a fused
/// chain needs to run every step band by band. Rows are addressed from a base pointer to row 0, so a band buffer
/// holding only rows [first, last] is passed as <c>buffer - first·rowBytes</c>.
/// </summary>
internal unsafe interface IRowFilter : IFrameFilter
{
    ConvolutionGeometry Geometry { get; }

    /// <summary>Whether output row y also reads source row y (channels passed through unchanged).</summary>
    bool ReadsOwnRow { get; }

    /// <summary>Output rows [start, end) on thread <paramref name="worker"/>'s scratch; not synchronised (the caller owns that thread's scratch).</summary>
    void RowsAt(byte* srcBase, byte* dstBase, int start, int end, int worker);
}

/// <summary>One call of a row filter over whole frames: the filter and the two frames (pinned, so addressed directly); the scheduler hands it each band.</summary>
internal readonly unsafe struct RowBands(IRowFilter filter, Image src, Image dst) : Parallel.IBandOperation
{
    public void Invoke(int start, int end, int worker) => filter.RowsAt((byte*)src.Pointer, (byte*)dst.Pointer, start, end, worker);
}

/// <summary>The argument checks every <see cref="IFrameFilter.Apply"/> makes.</summary>
internal static class FrameFilterArguments
{
    public static void Check(IFrameFilter filter, Image src, Image dst)
    {
        if (src.Format != filter.Input) throw new ArgumentException($"expected a {filter.Input} frame, got {src.Format}", nameof(src));
        if (dst.Format != filter.Output) throw new ArgumentException($"expected a {filter.Output} destination, got {dst.Format}", nameof(dst));
        if (ReferenceEquals(src, dst)) throw new ArgumentException("source and destination must differ", nameof(dst));
    }
}
