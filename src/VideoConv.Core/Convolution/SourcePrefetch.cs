using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Asks for the source rows that a row loop's next step will read, one step ahead (every cache line of each row,
/// PREFETCHT0), so that a frame that is not in cache streams in while the current rows are computed.
/// </summary>
/// <remarks>
/// Why: a frame from a decoder, a converter or another thread is not in this core's caches, and on the machines
/// measured (AMD EPYC, Zen 5, KVM) the hardware prefetchers did not keep the row loops fed: the loads waited on
/// memory, a cache line at a time. Measured, 1080p one-plane sharpen, one core, median of 200, 16 source frames
/// in turn (cold) against one (hot): 1.08 ms cold against 0.40 ms hot without prefetching, 0.45 ms cold with it
/// (a plain read of the same 2 MB took 0.065 ms: bandwidth was never the limit). One row ahead was as good as two
/// or four (0.45, 0.47, 0.46 ms). The same A/B, one core, medians of 192, cold / hot frames, without → with:
/// <list type="bullet">
/// <item>one plane: 3×3 float 0.565 → 0.435 / 0.338 → 0.346 ms; 5×5 float 0.894 → 0.761 / 0.681 → 0.685; σ 0
/// Gaussian 0.690 → 0.330 / 0.302 → 0.298; σ 1.2 0.422 → 0.404 / 0.365 → 0.372; sobel 2.00 → 1.25 / 1.27 → 1.22;</item>
/// <item>BGR: 3×3 float 1.55 → 1.35 / 1.02 → 0.99; sharpen 1.24 → 0.90 / 0.84 → 0.83; σ 0 1.80 → 1.06 / 1.05 → 0.89;
/// σ 1.2 1.66 → 1.29 / 1.09 → 1.11; sobel 3.08 → 2.66 / 2.69 → 2.64; the chain unfused 6.25 → 4.69.</item>
/// </list>
/// The hot figures did not move beyond the noise: a prefetch of a line already in L1 costs one issue slot.
/// </remarks>
public static unsafe class SourcePrefetch
{
    private const int CacheLine = ScratchMemory.Alignment;

    /// <summary>Asks for every cache line of [<paramref name="start"/>, start + <paramref name="bytes"/>) (x86; elsewhere nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bytes(byte* start, long bytes)
    {
        if (!Sse.IsSupported) return;
        for (long o = 0; o < bytes; o += CacheLine) Sse.Prefetch0(start + o);
    }

    /// <summary>The source rows of padded rows [from, from + count) (rows outside the source or the table skipped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Rows(ConvolutionGeometry g, byte* srcBase, int from, int count)
    {
        var table = g.RowTable;
        long bytes = g.Input.RowBytes;
        for (int pr = Math.Max(from, 0); pr < from + count && pr < table.Length; pr++)
        {
            int sourceRow = table[pr];
            if (sourceRow < 0) continue;
            Bytes(srcBase + sourceRow * bytes, bytes);
        }
    }
}
