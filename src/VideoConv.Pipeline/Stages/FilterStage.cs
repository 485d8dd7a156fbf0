using System.Diagnostics;
using System.Threading.Channels;
using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Stats;

namespace VideoConv.Pipeline.Stages;

/// <summary>Builds a filter for one input format (the engine's <see cref="FilterChain"/>, or a test double).</summary>
internal delegate IFrameFilter FilterFactory(IReadOnlyList<FilterDefinition> chain, ImageFormat input);

/// <summary>
/// Runs the filter chain on each frame into a pooled output frame and fans it out to every sink
/// (one reference per sink). The chain can be replaced between two frames (<see cref="Replace"/>).
/// </summary>
internal sealed class FilterStage(
    IReadOnlyList<FilterDefinition> initial, FilterFactory factory, bool outputSizeFixed,
    ChannelReader<Frame> input, IReadOnlyList<ChannelWriter<Frame>> outputs, StageCounters counters, IPlanarFilter? planes = null,
    int prefill = 0, bool warmUp = false)
{
    /// <summary>The frame the engine's code is first run on while the source opens (its size is unknown then): BGR, small.</summary>
    private static readonly ImageFormat WarmUpFormat = new(128, 72, 3);
    private readonly Lock _warmGate = new();   // the warm-up and Prepare take turns: Prepare then finds the code compiled

    private RunControl? _run;

    /// <summary>Binds the stage to the run that will call <see cref="Run"/>.</summary>
    public void Attach(RunControl run) => _run = run;

    public const string StageName = "filter";

    private readonly Lock _gate = new();
    private readonly List<FramePool> _pools = [];
    private IReadOnlyList<FilterDefinition> _definitions = initial;
    private ImageFormat? _input;
    private ImageFormat? _output;
    private IFrameFilter? _pending;
    private FramePool? _preparedPool;   // the output pool made (and prefilled) by Prepare, taken by the first frame
    private volatile IFrameFilter? _active;   // the chain frames go through now (its step timings are the stage's)

    /// <summary>
    /// Each chain step's frames and CPU time, for the chain frames go through now (the prepared one before the first
    /// frame); counted from when that chain was built, so a replaced chain (<c>--watch</c>) starts again at zero.
    /// </summary>
    public IReadOnlyList<ChainStepTime> StepTimes()
    {
        if (planes is not null) return planes.StepTimes();
        var chain = (_active ?? Volatile.Read(ref _pending)) as FilterChain;
        return chain?.Times.Snapshot() ?? [];
    }

    /// <summary>Every output pool used so far (a new one per output format).</summary>
    public IReadOnlyList<FramePool> Pools { get { lock (_gate) return [.. _pools]; } }

    /// <summary>
    /// Builds <paramref name="chain"/> for the current input and swaps it in before the next frame.
    /// Throws <see cref="FilterDefinitionException"/>, keeping the old chain, if it cannot apply or would
    /// change the output size while a sink needs it fixed.
    /// </summary>
    public void Replace(IReadOnlyList<FilterDefinition> chain)
    {
        if (planes is not null)
        {
            planes.Replace(chain); // space: yuv: the chain is Y's
            return;
        }
        lock (_gate)
        {
            if (_input is not { } format)
            {
                // Frames not seen yet: check what can be checked now, build at the first frame.
                foreach (var f in chain) f.Validate();
                _definitions = chain;
                return;
            }
            var filter = factory(chain, format);
            if (outputSizeFixed && _output is { } current && filter.Output != current)
                throw new FilterDefinitionException(
                    $"the new chain makes {filter.Output} frames but the file sink's encoder was opened for {current}; a video file cannot change size mid-run (restart to change it)");
            _definitions = chain;
            _pending = filter;
        }
    }

    /// <summary>
    /// Called by the source once its format is known, before its first frame: builds the chain and runs it
    /// once on a blank frame, so the first real frame does not pay for construction and JIT (a live source
    /// would drop frames meanwhile). A chain that cannot be built is left for the first frame, where the
    /// failure is reported as this stage's.
    /// </summary>
    /// <returns>The format the chain makes of <paramref name="format"/>, or null when it could not be built.</returns>
    public ImageFormat? Prepare(ImageFormat format)
    {
        if (planes is not null)
        {
            try { planes.Prepare(format); }
            catch (Exception) { } // not swallowed: built again at the first frame, where the error fails the run as the filter's
            return null;   // planes: the sinks learn the format from the first frame
        }
        IReadOnlyList<FilterDefinition> definitions;
        lock (_gate)
        {
            if (_input is not null) return _output;
            definitions = _definitions;
        }
        IFrameFilter filter;
        FramePool? pool = null;
        try
        {
            using var turn = _warmGate.EnterScope();
            filter = factory(definitions, format);
            pool = new FramePool(filter.Output);
            pool.Prefill(prefill);
            var warm = pool.Rent();
            try { filter.Apply(new Image(format), warm.Image); }
            finally { warm.Release(); }
            (filter as FilterChain)?.Times.Reset();   // the blank warm-up frame is not a frame
        }
        catch (Exception)
        {
            pool?.Dispose();
            // Not swallowed: the chain is built and applied again at the first frame, on this stage's
            // thread, where the same error fails the run as the filter's (not the source's, whose thread this is).
            return null;
        }
        lock (_gate)
        {
            if (_input is not null || !ReferenceEquals(definitions, _definitions))
            {
                pool.Dispose();
                return _output;   // replaced meanwhile
            }
            _input = format;
            _output = filter.Output;
            _pending = filter;
            _pools.Add(pool);
            _preparedPool = pool;
            return _output;
        }
    }

    public void Run()
    {
        var run = _run ?? throw new InvalidOperationException("filter stage not attached to a run");
        var ct = run.FailToken;
        Exception? error = null;
        IFrameFilter? filter = null;
        FramePool? pool = null;
        try
        {
            if (warmUp && planes is null) WarmUp();
            counters.Started();
            while (FrameChannels.Read(input, out var src, ct))
            {
                long t0 = Stopwatch.GetTimestamp();
                Frame dst;
                try
                {
                    if (planes is not null)
                    {
                        // space: yuv — the planes are filtered in place of a BGR image (PlaneFilter).
                        pool ??= NewPool(src.Format, planar: true);
                        dst = planes.Apply(src, pool);
                    }
                    else
                    {
                        filter = Current(filter, src.Format);
                        if (pool is null || pool.Format != filter.Output) pool = TakePrepared(filter.Output) ?? NewPool(filter.Output);
                        dst = pool.Rent();
                        try { filter.Apply(src.Image, dst.Image); }
                        catch { dst.Release(); throw; }
                        dst.CopyStampsFrom(src);
                    }
                }
                finally { src.Release(); }
                counters.FrameDone(t0);
                FanOut(dst, ct);
            }
        }
        catch (Exception ex)
        {
            // Record first (the first recorded failure is the one reported; an upstream error arriving here
            // was recorded by its own stage before it reached this one), then pass it downstream.
            run.Fail(StageName, ex);
            error = ex;
        }
        finally
        {
            counters.Stopped();
            foreach (var o in outputs) o.TryComplete(error);
        }
    }

    /// <summary>
    /// Runs the chain once on a small blank frame as the run starts, while the source opens: the JIT compiles the
    /// engine's code for this chain here rather than in <see cref="Prepare"/>, which the source waits for before its
    /// first frame. Measured on a live 720p FIFO (gaussian → sobel): Prepare took 134 ms, 84 of them building the
    /// chain, and a 30 fps source buffered four frames meanwhile that then arrived at once. A chain that cannot apply
    /// to this frame (a crop larger than it) is simply not warmed: its errors belong to the real format.
    /// </summary>
    private void WarmUp()
    {
        IReadOnlyList<FilterDefinition> definitions;
        lock (_gate)
        {
            if (_input is not null) return;
            definitions = _definitions;
        }
        using var turn = _warmGate.EnterScope();
        try
        {
            var filter = factory(definitions, WarmUpFormat);
            filter.Apply(new Image(WarmUpFormat), new Image(filter.Output));
        }
        catch (Exception)
        {
            // Not swallowed: whatever this chain cannot do is found again on the real format, in Prepare or at the first
            // frame, and reported there; a chain that cannot apply to this frame (a crop larger than it) is only not warmed.
        }
    }

    // The chain to use for this frame: the pending replacement if any, else the current one (built at the first frame).
    private IFrameFilter Current(IFrameFilter? current, ImageFormat format)
    {
        lock (_gate)
        {
            if (_pending is { } next && next.Input == format)
            {
                _pending = null;
                _output = next.Output;
                return _active = next;
            }
            if (current is not null && current.Input == format) return current;
            _input = format;
            var built = factory(_definitions, format);
            _output = built.Output;
            return _active = built;
        }
    }

    private FramePool? TakePrepared(ImageFormat format)
    {
        lock (_gate)
        {
            var pool = _preparedPool;
            _preparedPool = null;
            return pool?.Format == format ? pool : null;
        }
    }

    private FramePool NewPool(ImageFormat format, bool planar = false)
    {
        var pool = new FramePool(format, planar);
        lock (_gate) _pools.Add(pool);
        return pool;
    }

    // One reference per sink; a frame not handed over (cancelled mid fan-out) has its remaining references released here.
    private void FanOut(Frame frame, CancellationToken ct)
    {
        frame.Retain(outputs.Count - 1);
        for (int i = 0; i < outputs.Count; i++)
        {
            try { FrameChannels.Write(outputs[i], frame, ct); }
            catch
            {
                for (int j = i; j < outputs.Count; j++) frame.Release();
                throw;
            }
        }
    }
}
