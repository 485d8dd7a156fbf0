using System.Runtime.Intrinsics.X86;
using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// BGR mode (the default, <c>space: bgr</c>) for a file → file job, without BGR frames between the stages: the
/// decoder's yuv420p planes go to the filter stage, which, strip by strip, converts a strip's rows to BGR
/// (<see cref="Yuv420ToBgr24"/>), runs the chain on them and converts the result to the encoder's yuv420p
/// (<see cref="Bgr24ToYuv420"/>) while the strip is still in cache; the encoder takes the planes by reference. The same
/// bytes as the unfused run (the source's conversion, the chain over whole frames, the encoder's conversion; tested),
/// without three full BGR frames' trips through memory and two frame pools of them.
/// </summary>
/// <remarks>
/// <para>Measured on the AVX-512 machine (docs/performance.md): 1080p sharpen → MPEG-4, the BGR frames cost ≈ 2.1 ms of
/// CPU a frame in conversions and the filter, each pass streaming 6 MB frames from memory.</para>
/// <para>Strips: rows [r0, r1) of the output come from input rows [r0 − reach, r1 + reach) (clipped to the frame), the
/// chain's <see cref="FilterChain.RowReach"/>; strips start on even rows (the encoder's conversion works in row pairs); the
/// rows a strip's own borders make wrong stay within that reach, so they are never kept. A strip is ≈ 256 KB of BGR
/// rows (44 rows of 1080p): it and its output stay in a core's L2. The strips are shared between the run's threads,
/// each with its own buffers and its own single-threaded chain per strip height.</para>
/// <para>Used only where that is exact and the output stays what the unfused run writes (<see cref="Applies"/>):
/// a yuv420p file, upright, without a colour description (an encoder converts a described input with libswscale's
/// accurate path, which this does not reproduce), every sink a file encoded in-process to 4:2:0, a chain of
/// convolutions that keep the frame's size, and our conversions matching libswscale on this machine. A frame that
/// arrives otherwise (another pixel format mid-stream, a chain replaced by <c>--watch</c> that is not row-local) is
/// converted whole, by libswscale and the encoder's own conversion, as the unfused run would.</para>
/// </remarks>
internal sealed unsafe class FusedBgrFilter(IReadOnlyList<FilterDefinition> chain, ColourDescription colour, BandScheduler? scheduler) : IPlanarFilter
{
    /// <summary>BGR rows a strip aims at: with its output, well inside a 1 MB L2 (the AVX-512 machine's; the AVX2 machine's is 512 KB).</summary>
    private const int StripBytes = 256 * 1024;

    private static readonly BandScheduler s_inline = new(1); // no threads: each strip's chain runs on the thread that has the strip

    /// <summary>Runs planned while this is set keep BGR frames (tests compare the two).</summary>
    internal static volatile bool Disabled;

    /// <summary>Frames filtered strip by strip, and frames converted whole, over the process (tests).</summary>
    internal static long StripFrames, WholeFrames;

    private readonly BandScheduler _scheduler = scheduler ?? BandScheduler.Shared;
    private readonly Lock _gate = new();
    private IReadOnlyList<FilterDefinition> _definitions = chain;
    private Layout? _layout;

    /// <summary>Whether a run of <paramref name="spec"/> can keep its frames as planes (see remarks).</summary>
    public static bool Applies(PipelineSpec spec)
    {
        if (Disabled || spec.Space != PixelSpace.Bgr || spec.Source is not FileSourceSpec file || file.ReadsOnce) return false;
        if (!LibAv.IsAvailable || !Avx2.IsSupported || !Bgr24ToYuv420.MatchesLibswscale || spec.Sinks.Count == 0) return false;
        foreach (var sink in spec.Sinks)
        {
            if (sink is not FileSinkSpec f || !MediaFormats.WritesInProcess(f)) return false;
            try { if (MediaFormats.Resolve(f).Pixels != PixelPolicy.Yuv420) return false; }
            catch (PipelineSpecException) { return false; }
        }
        if (LibAvFileSource.ProbeLayout(file) is not { PixelFormat: LibAv.PixYuv420P, Rotation: 0 } || LibAvFileSource.Probe(file) is not { } format) return false;
        if (format.Width % 2 != 0 || format.Height % 2 != 0 || ColourDescription.Probe(file).IsKnown) return false;
        try
        {
            var probe = new FilterChain(spec.Chain, new ImageFormat(format.Width, Math.Min(format.Height, 64), 3), s_inline);
            return probe.RowReach is not null && probe.Output == probe.Input;
        }
        catch (FilterDefinitionException) { return false; }
    }

    public long CopiedPlanes => 0;

    /// <summary>Each step's CPU time summed over the strips' chains (and the whole-frame one), with the frames filtered.</summary>
    public IReadOnlyList<ChainStepTime> StepTimes()
    {
        lock (_gate) return _layout?.StepTimes() ?? _final ?? [];
    }

    private ChainStepTime[]? _final; // the last layout's figures, kept when the run ends (its stats are taken after)

    public void Prepare(ImageFormat frame)
    {
        lock (_gate) LayoutFor(frame);
    }

    public void Replace(IReadOnlyList<FilterDefinition> steps)
    {
        lock (_gate)
        {
            if (_layout is { } old)
            {
                var built = new Layout(steps, old.Frame, colour, _scheduler); // throws, keeping the old chain, where it cannot apply
                old.Dispose();
                _layout = built;
            }
            _definitions = steps;
        }
    }

    public Frame Apply(Frame src, FramePool pool)
    {
        var planes = src.Planes ?? throw new InvalidOperationException("a BGR frame reached the fused BGR filter");
        var dst = pool.Rent();
        try
        {
            lock (_gate)
            {
                var layout = LayoutFor(src.Format);
                dst.Planes!.ReferTo(planes);
                layout.Run(planes, dst.Planes);
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

    private Layout LayoutFor(ImageFormat frame)
    {
        if (_layout?.Frame == frame) return _layout;
        _layout?.Dispose();
        return _layout = new Layout(_definitions, frame, colour, _scheduler);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _final = _layout?.StepTimes() ?? _final;
            _layout?.Dispose();
            _layout = null;
        }
    }

    /// <summary>Everything for one frame size and chain: the strips, each thread's chains and buffers, the planes' pools, the conversion in.</summary>
    private sealed class Layout : IDisposable
    {
        private readonly FilterChain _whole;
        private readonly int _reach, _stripRows, _strips, _width, _height, _chromaWidth, _chromaHeight, _rowBytes;
        private readonly Worker[] _workers; // none where the chain is not row-local (frames go whole)
        private readonly BandScheduler _scheduler;
        private readonly ColourDescription _colour;
        private readonly PlanePool _luma, _chroma;
        private BgrConverter? _bgr;

        // One thread's strip buffers, and a single-threaded chain for each strip height over views of them.
        private sealed record Worker(Image In, Image Out, Dictionary<int, (FilterChain Chain, Image In, Image Out)> ByRows);
        private Image? _wholeIn, _wholeOut;

        public Layout(IReadOnlyList<FilterDefinition> steps, ImageFormat frame, ColourDescription colour, BandScheduler scheduler)
        {
            Frame = frame;
            _colour = colour;
            _scheduler = scheduler;
            _whole = new FilterChain(steps, frame, scheduler);
            if (_whole.Output != frame)
                throw new FilterDefinitionException($"the chain turns {frame} frames into {_whole.Output}; the file sinks' frames keep their size");
            (_width, _height, _rowBytes) = (frame.Width, frame.Height, frame.RowBytes);
            (_chromaWidth, _chromaHeight) = ((_width + 1) / 2, (_height + 1) / 2);
            _reach = _whole.RowReach ?? -1;
            _stripRows = Math.Max(Math.Max(16, 4 * _reach), StripBytes / _rowBytes) & ~1;
            _strips = (_height + _stripRows - 1) / _stripRows;
            var heights = Enumerable.Range(0, _strips).Select(i => Rows(i).In).Distinct().ToList();
            _workers = _reach < 0 ? [] : [.. Enumerable.Range(0, scheduler.Workers).Select(_ => NewWorker(steps, heights))];
            _luma = new PlanePool((long)_width * _height);
            try { _chroma = new PlanePool((long)_chromaWidth * _chromaHeight); }
            catch { _luma.Dispose(); throw; }
        }

        private Worker NewWorker(IReadOnlyList<FilterDefinition> steps, List<int> heights)
        {
            var input = new Image(new ImageFormat(_width, heights.Max(), 3));
            var output = new Image(input.Format);
            var byRows = new Dictionary<int, (FilterChain, Image, Image)>();
            foreach (int rows in heights)
            {
                var format = new ImageFormat(_width, rows, 3);
                byRows[rows] = (new FilterChain(steps, format, s_inline), Image.Over(format, input.Pointer), Image.Over(format, output.Pointer));
            }
            return new Worker(input, output, byRows);
        }

        public ImageFormat Frame { get; }

        private long _frames;

        public ChainStepTime[] StepTimes()
        {
            var total = _whole.Times.Snapshot();
            var cpu = total.Select(t => t.CpuMs).ToArray();
            foreach (var worker in _workers)
                foreach (var (chain, _, _) in worker.ByRows.Values)
                {
                    var times = chain.Times.Snapshot();
                    for (int s = 0; s < cpu.Length; s++) cpu[s] += times[s].CpuMs;
                }
            long frames = Interlocked.Read(ref _frames);
            return [.. total.Select((t, s) => t with { Frames = frames, CpuMs = cpu[s] })];
        }

        // Strip i: the output rows it keeps and the input rows it converts.
        private (int First, int End, int InFirst, int In) Rows(int i)
        {
            int first = i * _stripRows, end = Math.Min(_height, first + _stripRows);
            int inFirst = Math.Max(0, first - _reach), inEnd = Math.Min(_height, end + _reach);
            return (first, end, inFirst, inEnd - inFirst);
        }

        public void Run(FramePlanes src, FramePlanes dst)
        {
            int format = src.PixelFormat;
            if (src.Width != _width || src.Height != _height)
                throw new InvalidOperationException($"planes of {src.Width}x{src.Height} reached a filter prepared for {_width}x{_height}");
            // The source's conversion for planes of this pixel format: the stream's colour, ours where it agrees.
            var bgr = BgrConverter.For(ref _bgr, _width, _height, format, _colour, "the fused BGR filter");
            void* y = _luma.Take(), u = null, v = null;
            try
            {
                u = _chroma.Take();
                v = _chroma.Take();
                byte* yd = PlanePool.Data(y), ud = PlanePool.Data(u), vd = PlanePool.Data(v);
                if (bgr.Own is { } c && _workers.Length > 0)
                {
                    _scheduler.Run(new Strips(this, src, yd, ud, vd, c), _strips, _stripRows * _rowBytes);
                    Interlocked.Increment(ref StripFrames);
                }
                else
                {
                    Whole(bgr, src, yd, ud, vd);
                    Interlocked.Increment(ref WholeFrames);
                }
                Interlocked.Increment(ref _frames);
                dst.SetPlane(0, y, _width);
                y = null;
                dst.SetPlane(1, u, _chromaWidth);
                u = null;
                dst.SetPlane(2, v, _chromaWidth);
                v = null;
            }
            finally
            {
                if (y != null) LibAv.av_buffer_unref(&y);
                if (u != null) LibAv.av_buffer_unref(&u);
                if (v != null) LibAv.av_buffer_unref(&v);
            }
            // What the encoder gets is the unfused run's frame: yuv420p made from BGR, without the decoder's colour fields.
            void* frame = dst.AVFrame;
            LibAv.Write(frame, LibAv.FrameFormat, LibAv.PixYuv420P);
            LibAv.Write(frame, LibAv.FrameColorRange, ColourDescription.RangeUnspecified);
            LibAv.Write(frame, LibAv.FrameColorPrimaries, ColourDescription.Unspecified);
            LibAv.Write(frame, LibAv.FrameColorTrc, ColourDescription.Unspecified);
            LibAv.Write(frame, LibAv.FrameColorSpace, ColourDescription.Unspecified);
        }

        public void Strip(int i, int worker, byte** src, int* linesize, byte* y, byte* u, byte* v, in Yuv420ToBgr24.Coefficients c)
        {
            var (first, end, inFirst, rows) = Rows(i);
            var (chain, input, output) = _workers[worker].ByRows[rows];
            long chromaRow = inFirst / 2; // an odd first row shares that chroma row with the row above
            Yuv420ToBgr24.Convert(c, src[0] + (long)inFirst * linesize[0], linesize[0], src[1] + chromaRow * linesize[1], linesize[1],
                src[2] + chromaRow * linesize[2], linesize[2], (byte*)input.Pointer, _rowBytes, _width, rows, inFirst);
            chain.Apply(input, output);
            // Row r of the frame is row r − inFirst of the strip's output.
            Bgr24ToYuv420.Convert((byte*)output.Pointer - (long)inFirst * _rowBytes, _rowBytes, y, _width, u, v, _chromaWidth, _width, _height, first, end);
        }

        // The unfused run's work on one frame: the source's conversion to BGR, the chain, the encoder's conversion.
        private void Whole(BgrConverter bgr, FramePlanes src, byte* y, byte* u, byte* v)
        {
            _wholeIn ??= new Image(Frame);
            _wholeOut ??= new Image(Frame);
            bgr.Convert(src.AVFrame, (byte*)_wholeIn.Pointer, _rowBytes);
            _whole.Apply(_wholeIn, _wholeOut);
            Bgr24ToYuv420.Convert((byte*)_wholeOut.Pointer, _rowBytes, y, _width, u, v, _chromaWidth, _width, _height);
        }

        public void Dispose()
        {
            _luma.Dispose();
            _chroma.Dispose();
            _bgr?.Dispose();
            _bgr = null;
        }

        private readonly struct Strips(Layout layout, FramePlanes src, byte* y, byte* u, byte* v, Yuv420ToBgr24.Coefficients c) : IBandOperation
        {
            public void Invoke(int start, int end, int worker)
            {
                var frame = src.AVFrame;
                byte** data = (byte**)((byte*)frame + LibAv.FrameData);
                int* linesize = (int*)((byte*)frame + LibAv.FrameLinesize);
                for (int i = start; i < end; i++) layout.Strip(i, worker, data, linesize, y, u, v, c);
            }
        }
    }
}
