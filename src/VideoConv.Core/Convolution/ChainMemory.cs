using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;

namespace VideoConv.Core.Convolution;

/// <summary>What a <see cref="FilterChain"/> holds while it runs, in bytes, estimated before anything is allocated.</summary>
/// <param name="Intermediates">The two ping-pong frames between segments (none for a chain of one segment), plus each fused run's per-thread chunk buffers.</param>
/// <param name="Scratch">Every step's per-thread rings and row buffers, for all scheduler threads (an upper bound).</param>
/// <param name="Tables">Every step's border tables.</param>
public readonly record struct ChainMemoryEstimate(long Intermediates, long Scratch, long Tables)
{
    public long Total => Intermediates + Scratch + Tables;

    /// <summary>E.g. "about 38 MiB (12 MiB of intermediate frames, 26 MiB of per-thread buffers)".</summary>
    public override string ToString() =>
        $"about {Mib(Total)} ({Mib(Intermediates)} of intermediate frames, {Mib(Scratch + Tables)} of per-step buffers)";

    private static string Mib(long bytes) => bytes >= 10L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{Math.Ceiling(bytes / (double)(1 << 20)):F0} MiB";
}

/// <summary>
/// The working memory of a chain for one frame size, so a config whose chain would not fit the machine is
/// refused before the first frame (with this estimate in the message) instead of failing mid-allocation.
/// </summary>
public static class ChainMemory
{
    /// <summary>Fraction of the memory available to this process a chain may take; the rest is for frames in flight, codecs and the runtime.</summary>
    public const double MaxShareOfAvailable = 0.75;

    /// <summary>The estimate for <paramref name="chain"/> on frames of <paramref name="input"/> format run by <paramref name="workers"/> threads; throws <see cref="FilterDefinitionException"/> (with <see cref="FilterDefinitionException.Step"/>) for a step that cannot apply.</summary>
    public static ChainMemoryEstimate Estimate(IReadOnlyList<FilterDefinition> chain, ImageFormat input, int workers, bool fuse = true)
    {
        workers = Math.Max(1, workers);
        long scratch = 0, tables = 0;
        var geometries = new ConvolutionGeometry?[chain.Count];   // kept only where a run may fuse (tables are ≈ 12 KB a step at 1080p)
        var mayFuse = new bool[chain.Count];
        foreach (var (first, end) in FilterChain.ConvolutionRuns(chain))
            if (fuse && end - first >= 2 && end - first <= FusedChain.MaxSteps)
                for (int k = first; k < end; k++) mayFuse[k] = true;
        var outputs = new ImageFormat[chain.Count];
        var format = input;
        for (int i = 0; i < chain.Count; i++)
        {
            try
            {
                if (chain[i].IsGeometric)
                {
                    outputs[i] = ConvolutionEngine.OutputFormat(chain[i], format);
                    if (chain[i].Mode == FilterMode.Resize) scratch += workers * Geometry.ResizeFilter.ScratchBytes(format, outputs[i]);
                    tables += 4096 + (chain[i].Mode == FilterMode.Resize ? Geometry.ResizeFilter.ScratchBytes(format, outputs[i]) : 0);
                }
                else
                {
                    var g = new ConvolutionGeometry(chain[i], format);
                    if (mayFuse[i]) geometries[i] = g;
                    outputs[i] = g.Output;
                    scratch += workers * StepScratch(chain[i], g);
                    tables += 4L * (g.RowTable.Length + g.ColumnTable.Length) + 4096; // + the worker's own objects, roughly
                }
            }
            catch (FilterDefinitionException ex) { throw FilterChain.AtStep(ex, i); }
            format = outputs[i];
        }
        // As the chain splits itself: each run of convolutions fused where FusedChain accepts it, the rest step by
        // step; the frames between segments share two ping-pong buffers, the fused runs have their own chunk buffers.
        long fused = 0, largestIntermediate = 0;
        var fusedEnds = new HashSet<int>();
        foreach (var (first, end) in FilterChain.ConvolutionRuns(chain))
        {
            if (!mayFuse[first]) continue;
            var run = geometries[first..end].Select(g => g!).ToList();
            if (!FusedChain.Applies(run)) continue;
            fused += FusedChain.BufferBytes(run, workers);
            for (int k = first; k < end - 1; k++) fusedEnds.Add(k);   // no frame between these steps
        }
        for (int i = 0; i < chain.Count - 1; i++)
            if (!fusedEnds.Contains(i)) largestIntermediate = Math.Max(largestIntermediate, outputs[i].TotalBytes);
        return new ChainMemoryEstimate(fused + 2 * largestIntermediate, scratch, tables);
    }

    /// <summary>The memory this process may still use: the GC's view of the machine (or container) limit.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws <see cref="FilterDefinitionException"/> with the estimate when the chain's working memory exceeds <see cref="MaxShareOfAvailable"/> of <paramref name="available"/>.</summary>
    public static ChainMemoryEstimate Check(IReadOnlyList<FilterDefinition> chain, ImageFormat input, int workers, long? available = null, bool fuse = true)
    {
        var estimate = Estimate(chain, input, workers, fuse);
        long limit = (long)((available ?? Available) * MaxShareOfAvailable);
        if (estimate.Total > limit)
            throw new FilterDefinitionException(
                $"the chain of {chain.Count} step{(chain.Count == 1 ? "" : "s")} on {input} frames needs {estimate} of working memory, " +
                $"over the {limit >> 20} MiB it may use here ({MaxShareOfAvailable:P0} of {(available ?? Available) >> 20} MiB available); use fewer or smaller steps, or smaller frames");
        return estimate;
    }

    // Per-thread bytes of one step's scratch, as its worker allocates it (upper bound: each cache-line-rounded
    // row gets 64 bytes, each allocation 128 of alignment slack; both rings counted where the worker may need only one).
    private static long StepScratch(FilterDefinition f, ConvolutionGeometry g)
    {
        const long Slack = 2 * ScratchMemory.Alignment;
        int C = g.InputChannels;
        long ring = (long)(g.KernelHeight - 1) * g.Dilation.Y + 1;
        long padded = (long)g.PaddedWidth * C;
        if (FixedPointPlan.TryCreate(f, g) is { } plan)
            return plan.Separable
                ? padded + ring * ((long)g.OutputWidth * C * sizeof(short) + 64) + 2 * Slack
                : ring * (padded + 64) + Slack;
        bool planar = f.Mode == FilterMode.ChannelMix || f.PerChannelKernels;
        long outLength = planar ? g.OutputWidth : (long)g.OutputWidth * C;
        int passes = f.Mode switch
        {
            FilterMode.GradientMagnitude => 2,
            FilterMode.ChannelMix => f.Layer!.OutChannels,
            _ => planar ? f.Channels?.Count ?? C : 1,
        };
        long raw = ring * (padded * sizeof(float) + 64) + Slack;
        long line = padded * sizeof(float) + Slack;
        long perPass = (planar ? 0 : ring * (outLength * sizeof(float) + 64) + Slack) + outLength * sizeof(float) + Slack;
        return raw + line + passes * perPass;
    }
}
