using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// The filter stage's work in YUV mode (<c>space: yuv</c>): each plane with a chain is filtered by the engine
/// straight from the decoder's plane into a buffer from an FFmpeg buffer pool, and that buffer becomes the plane of
/// the output frame; planes without a chain are the decoder's, referenced, not copied. The encoder then takes the
/// output frame's planes as they are.
/// </summary>
/// <remarks>
/// The one copy left: the engine reads packed rows, so a decoder plane whose rows are padded (linesize above its
/// width) is first copied into a packed scratch plane (<see cref="CopiedPlanes"/> counts them). FFmpeg's decoders
/// pad rows to their SIMD alignment: 1920-wide H.264 luma is packed (no copy), 960-wide chroma too.
/// </remarks>
internal sealed unsafe class PlaneFilter : IPlanarFilter
{
    private readonly BandScheduler? _scheduler;
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<FilterDefinition>?[] _definitions;
    private readonly Plane?[] _planes = new Plane?[3];
    private ImageFormat? _frame;
    private long _copied;

    /// <param name="y">Y's chain; <paramref name="u"/>, <paramref name="v"/>: the chroma planes' (empty: passed through).</param>
    public PlaneFilter(IReadOnlyList<FilterDefinition> y, IReadOnlyList<FilterDefinition> u, IReadOnlyList<FilterDefinition> v, BandScheduler? scheduler)
    {
        _definitions = [y.Count > 0 ? y : null, u.Count > 0 ? u : null, v.Count > 0 ? v : null];
        _scheduler = scheduler;
    }

    /// <summary>Planes copied into packed scratch before filtering (padded decoder rows), over the run.</summary>
    public long CopiedPlanes => Interlocked.Read(ref _copied);

    /// <summary>Not timed per step: up to three chains, one per plane.</summary>
    public IReadOnlyList<ChainStepTime> StepTimes() => [];

    /// <summary>Builds every plane's chain for frames of <paramref name="frame"/> (width × height × 3) and runs each once on a blank plane (JIT, first-frame cost).</summary>
    public void Prepare(ImageFormat frame)
    {
        lock (_gate) Build(frame);
        foreach (var plane in _planes)
            if (plane is not null) plane.Chain.Apply(new Image(plane.Format), new Image(plane.Format));
    }

    /// <summary>Replaces Y's chain before the next frame (<c>--watch</c>); throws <see cref="FilterDefinitionException"/>, keeping the old one, when it cannot apply.</summary>
    public void Replace(IReadOnlyList<FilterDefinition> y)
    {
        lock (_gate)
        {
            var built = _frame is { } f && y.Count > 0 ? new Plane(BuildChain(y, FramePlanes.PlaneFormat(f.Width, f.Height, 0), "Y")) : null;
            _definitions[0] = y.Count > 0 ? y : null;
            if (_frame is null) return;
            _planes[0]?.Dispose();
            _planes[0] = built;
        }
    }

    /// <summary>A frame from <paramref name="pool"/> (planar) holding <paramref name="src"/>'s planes, filtered where a plane has a chain.</summary>
    public Frame Apply(Frame src, FramePool pool)
    {
        var planes = src.Planes ?? throw new InvalidOperationException("a BGR frame reached the YUV filter");
        var dst = pool.Rent();
        try
        {
            lock (_gate)
            {
                if (_frame != src.Format) Build(src.Format);
                dst.Planes!.ReferTo(planes);
                for (int p = 0; p < 3; p++)
                    if (_planes[p] is { } plane) Filter(plane, planes, p, dst.Planes);
            }
            dst.CopyStampsFrom(src);
            return dst;
        }
        catch
        {
            dst.Release();
            throw;
        }
    }

    private void Filter(Plane plane, FramePlanes src, int index, FramePlanes dst)
    {
        var format = plane.Format;
        byte* data = src.Data(index);
        int linesize = src.Linesize(index);
        Image input;
        if (linesize == format.Width) input = plane.Input.Of(data, format);
        else
        {
            // Padded rows: one packed copy for the engine (counted; see the remarks).
            byte* scratch = (byte*)plane.Scratch.Pointer;
            for (int y = 0; y < format.Height; y++)
                Buffer.MemoryCopy(data + (long)y * linesize, scratch + (long)y * format.Width, format.Width, format.Width);
            input = plane.Scratch;
            Interlocked.Increment(ref _copied);
        }
        void* buffer = plane.Pool.Take();
        try
        {
            var output = plane.Output.Of(PlanePool.Data(buffer), format);
            plane.Chain.Apply(input, output);
        }
        catch
        {
            LibAv.av_buffer_unref(&buffer);
            throw;
        }
        dst.SetPlane(index, buffer, format.Width);
    }

    private void Build(ImageFormat frame)
    {
        for (int p = 0; p < 3; p++)
        {
            _planes[p]?.Dispose();
            _planes[p] = _definitions[p] is { } d ? new Plane(BuildChain(d, FramePlanes.PlaneFormat(frame.Width, frame.Height, p), "YUV"[p].ToString())) : null;
        }
        _frame = frame;
    }

    private FilterChain BuildChain(IReadOnlyList<FilterDefinition> steps, ImageFormat plane, string name)
    {
        var chain = new FilterChain(steps, plane, _scheduler);
        if (chain.Output != plane)
            throw new FilterDefinitionException($"the {name} plane's chain turns {plane} planes into {chain.Output}; with space: yuv each plane keeps its size and one channel (padding: same, stride 1)");
        return chain;
    }

    public void Dispose()
    {
        lock (_gate)
            for (int p = 0; p < 3; p++)
            {
                _planes[p]?.Dispose();
                _planes[p] = null;
            }
    }

    /// <summary>One plane's chain, its output buffer pool and its scratch; images over native planes cached by address (the decoder and the pool reuse a few buffers), so a frame allocates nothing.</summary>
    private sealed class Plane : IDisposable
    {
        public Plane(FilterChain chain)
        {
            Chain = chain;
            Format = chain.Input;
            Pool = new PlanePool(Format.TotalBytes);
            Scratch = new Image(Format);
        }

        public FilterChain Chain { get; }
        public ImageFormat Format { get; }
        public PlanePool Pool { get; }
        public Image Scratch { get; }
        public Views Input { get; } = new();
        public Views Output { get; } = new();

        public void Dispose() => Pool.Dispose();
    }

    private sealed class Views
    {
        private readonly Dictionary<nint, Image> _byAddress = [];

        public Image Of(byte* pixels, ImageFormat format)
        {
            if (_byAddress.TryGetValue((nint)pixels, out var image)) return image;
            if (_byAddress.Count >= 64) _byAddress.Clear(); // a decoder that never reuses its buffers: stay bounded
            return _byAddress[(nint)pixels] = Image.Over(format, (nint)pixels);
        }
    }
}
