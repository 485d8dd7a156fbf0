using VideoConv.Core.Convolution;

namespace VideoConv.Core.Geometry;

/// <summary>
/// A filter that computes any range of its output rows from the whole source frame (a resize, a crop): what a
/// chain needs to run it band by band on its own threads and time each band.
/// </summary>
internal unsafe interface IBandFilter : IFrameFilter
{
    /// <summary>Output samples per row, for the scheduler's choice of bands.</summary>
    int SamplesPerRow { get; }

    /// <summary>Output rows [start, end) from the source frame at <paramref name="src"/> into the frame at <paramref name="dst"/>, on thread <paramref name="worker"/>'s scratch.</summary>
    void RowsAt(byte* src, byte* dst, int start, int end, int worker);
}

/// <summary>One call of a band filter over whole frames (the frames pinned, so addressed directly).</summary>
internal readonly unsafe struct FilterBands(IBandFilter filter, byte* src, byte* dst) : Parallel.IBandOperation
{
    public void Invoke(int start, int end, int worker) => filter.RowsAt(src, dst, start, end, worker);
}
