using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A filter compiled for one frame format: the fast engine. The factory picks the path once —
/// interleaved ("flat") rows for a kernel shared by all channels, planar rows for per-channel kernels and
/// channel-mixing layers, two passes for rank-one kernels — and preallocates every buffer, so
/// <see cref="Apply"/> allocates nothing.
/// </summary>
/// <remarks>
/// Work is split into row bands run by <see cref="BandScheduler"/>. Each band keeps a ring of the padded
/// source rows it needs, converted to float once and reused by every kernel row, so the working set is
/// kh rows (≈ 70 KB for a 3×3 kernel on 1080p BGR) and stays in L2 whatever the frame size.
/// Float32 throughout. Dyadic kernels whose sums fit integers go to <see cref="FixedPointWorker"/> instead
/// (<see cref="ConvolutionEngine"/> decides), including the σ 1.2 Gaussian's 16-bit/32-bit path.
/// </remarks>
public sealed unsafe partial class ConvolutionWorker : IFrameFilter, IRowFilter
{
    private readonly FilterDefinition _filter;
    private readonly ConvolutionGeometry _g;
    private readonly BandScheduler _scheduler;
    private readonly bool _planar;
    private readonly int _ringSize;      // padded rows a band keeps: (kh-1)·dy + 1
    private readonly int _rawRowFloats;  // floats per converted padded row, Wp·C (interleaved, or C planes of Wp)
    private readonly int _outLength;     // floats per output accumulator row (flat: Wo·C; planar: Wo)
    private readonly int _rawStride;     // floats between rows of the raw ring: Wp·C rounded up to a cache line
    private readonly int _horizontalStride; // floats between rows of a horizontal-pass ring: _outLength rounded up likewise
    private readonly bool[] _selected;   // channels the filter writes; the rest are copied through
    private readonly bool _allSelected;
    private readonly Pass[] _passes;     // flat: one per kernel (two for a magnitude); planar: one per output channel
    private readonly bool _needRaw;      // some pass reads the raw ring (direct, not separable)
    private readonly Scratch[] _scratch; // one per scheduler worker
    private readonly RowPair? _pair;     // two output rows per pass (PairRowOps.DotStore2), when it applies
    private readonly RowQuad? _quad;     // four (PairRowOps.DotStore4Wide), where the pairs and the 512-bit loop run
    private readonly float[] _biasPerTarget;
    private readonly Lock _applyGate = new(); // the scratch is per scheduler thread: concurrent Apply calls on one worker take turns

    private ConvolutionWorker(FilterDefinition filter, ImageFormat input, BandScheduler scheduler, bool allowSeparable, bool allowPairs = true)
    {
        _filter = filter;
        _g = new ConvolutionGeometry(filter, input);
        _scheduler = scheduler;
        int C = input.Channels;
        _planar = filter.Mode == FilterMode.ChannelMix || filter.PerChannelKernels;
        _ringSize = (_g.KernelHeight - 1) * _g.Dilation.Y + 1;
        _rawRowFloats = _g.PaddedWidth * C;
        _outLength = _planar ? _g.OutputWidth : _g.OutputWidth * C;
        _rawStride = ScratchMemory.Stride<float>(_rawRowFloats);
        _horizontalStride = ScratchMemory.Stride<float>(_outLength);
        _selected = new bool[C];
        for (int c = 0; c < C; c++) _selected[c] = filter.Channels?.Contains(c) ?? true;
        _allSelected = _selected.All(s => s);

        _passes = _planar ? PlanarPasses(filter, C) : FlatPasses(filter, C, allowSeparable);
        _needRaw = _passes.Any(p => p.Vertical is null);
        _biasPerTarget = new float[_passes.Length];
        for (int i = 0; i < _passes.Length; i++)
            _biasPerTarget[i] = filter.Bias + (filter.Mode == FilterMode.ChannelMix && filter.Layer!.Bias.Count > 0 ? filter.Layer.Bias[i] : 0f);
        _pair = allowPairs ? RowPair.TryCreate(this) : null;
        _quad = _pair is not null ? RowQuad.TryCreate(this, _pair) : null;
        if (_pair is not null) _ringSize += _quad is not null ? 3 : 1; // two windows at once span kh + 1 rows, four kh + 3
        Path = (_planar ? "planar" : "flat") + (_passes.Any(p => p.Vertical is not null) ? " separable" : " direct")
               + (_g.Stride.X > 1 ? " strided" : "") + (_quad is not null ? " row quads simd512" : _pair is not null ? $" row pairs simd{(PairRowOps.IsWideAccelerated ? 512 : 256)}" : $" simd{RowOps.VectorBits}");
        _scratch = new Scratch[scheduler.Workers];
        for (int w = 0; w < _scratch.Length; w++) _scratch[w] = new Scratch(this);
    }

    /// <summary>Builds the worker for <paramref name="filter"/> on frames of <paramref name="input"/> format; throws <see cref="FilterDefinitionException"/> if it cannot apply.</summary>
    public static ConvolutionWorker Create(FilterDefinition filter, ImageFormat input, BandScheduler? scheduler = null) =>
        new(filter, input, scheduler ?? BandScheduler.Shared, allowSeparable: true);

    /// <summary>The same filter computing one output row at a time (no row pairs), for tests: the pairs must give its bits.</summary>
    internal static ConvolutionWorker CreateOneRowAtATime(FilterDefinition filter, ImageFormat input, BandScheduler? scheduler = null) =>
        new(filter, input, scheduler ?? BandScheduler.Shared, allowSeparable: false, allowPairs: false);

    /// <summary>The same filter without the two-pass shortcut, for tests and benchmarks.</summary>
    internal static ConvolutionWorker CreateDirect(FilterDefinition filter, ImageFormat input, BandScheduler? scheduler = null) =>
        new(filter, input, scheduler ?? BandScheduler.Shared, allowSeparable: false);

    public ImageFormat Input => _g.Input;
    public ImageFormat Output => _g.Output;
    public string Path { get; }

    /// <summary>Filters <paramref name="src"/> into <paramref name="dst"/>; safe to call from several threads (calls on one worker take turns).</summary>
    public void Apply(Image src, Image dst)
    {
        FrameFilterArguments.Check(this, src, dst);
        lock (_applyGate)
            _scheduler.Run(new RowBands(this, src, dst), _g.OutputHeight, _outLength * Math.Max(1, _passes.Length));
    }

    ConvolutionGeometry IRowFilter.Geometry => _g;
    bool IRowFilter.ReadsOwnRow => !_allSelected;

    /// <summary>Output rows [start, end); the bases address row 0 of source and output (only rows the windows read and rows written are touched).</summary>
    void IRowFilter.RowsAt(byte* srcBase, byte* dstBase, int start, int end, int worker) => RowsAt(srcBase, dstBase, start, end, worker);

    private void RowsAt(byte* srcBase, byte* dstBase, int start, int end, int worker)
    {
        var s = _scratch[worker];
        {
            int sy = _g.Stride.Y, dy = _g.Dilation.Y, kh = _g.KernelHeight;
            int converted = int.MinValue; // highest padded row already in the ring(s)
            for (int oy = start; oy < end; oy++)
            {
                int top = oy * sy, bottom = top + (kh - 1) * dy;
                if (_quad is { } quad && UsePairs && UseQuads && oy + 3 < end)
                {
                    for (int pr = Math.Max(top, converted + 1); pr <= bottom + 3; pr++) ConvertRow(pr, srcBase, s);
                    converted = bottom + 3;
                    SourcePrefetch.Rows(_g, srcBase, converted + 1, 4 * sy);
                    quad.Rows(top, s, dstBase + (long)oy * _g.Output.RowBytes, _g.Output.RowBytes);
                    oy += 3;
                    continue;
                }
                if (_pair is { } pair && UsePairs && oy + 1 < end)
                {
                    for (int pr = Math.Max(top, converted + 1); pr <= bottom + 1; pr++) ConvertRow(pr, srcBase, s);
                    converted = bottom + 1;
                    SourcePrefetch.Rows(_g, srcBase, converted + 1, 2 * sy);
                    pair.Rows(top, s, dstBase + (long)oy * _g.Output.RowBytes, _g.Output.RowBytes);
                    oy++;
                    continue;
                }
                for (int pr = Math.Max(top, converted + 1); pr <= bottom; pr++) ConvertRow(pr, srcBase, s);
                converted = bottom;
                SourcePrefetch.Rows(_g, srcBase, converted + 1, sy);
                byte* outRow = dstBase + (long)oy * _g.Output.RowBytes;
                if (_planar) PlanarRow(top, s, srcBase, outRow, oy);
                else FlatRow(top, s, srcBase, outRow, oy);
            }
        }
    }

    // Padded row pr → float, into its ring slot (raw) and through each separable pass's horizontal kernel.
    private void ConvertRow(int pr, byte* srcBase, Scratch s)
    {
        int slot = pr % _ringSize;
        float* raw = _needRaw ? s.Raw + (long)slot * _rawStride : s.Line;
        int sourceRow = _g.RowTable[pr];
        int C = _g.InputChannels, Wp = _g.PaddedWidth, W = _g.Input.Width;
        if (sourceRow < 0)
        {
            new Span<float>(raw, _rawRowFloats).Fill(_filter.BorderValue);
        }
        else
        {
            byte* row = srcBase + (long)sourceRow * _g.Input.RowBytes;
            float* flat = _planar ? s.Line : raw;
            int j0 = Math.Clamp(_g.PadLeft, 0, Wp), j1 = Math.Clamp(_g.PadLeft + W, 0, Wp);
            if (j1 > j0) RowOps.Widen(row + (long)(j0 - _g.PadLeft) * C, flat + (long)j0 * C, (j1 - j0) * C);
            var cols = _g.ColumnTable;
            for (int j = 0; j < Wp; j++)
            {
                if (j == j0 && j1 > j0) { j = j1 - 1; continue; }
                int sc = cols[j];
                for (int c = 0; c < C; c++) flat[j * C + c] = sc < 0 ? _filter.BorderValue : row[sc * C + c];
            }
            if (_planar)
                for (int c = 0; c < C; c++)
                {
                    float* plane = raw + (long)c * Wp;
                    for (int j = 0; j < Wp; j++) plane[j] = flat[j * C + c];
                }
        }
        for (int p = 0; p < _passes.Length; p++)
        {
            var pass = _passes[p];
            if (pass.Vertical is null) continue;
            float* h = s.Horizontal[p] + (long)slot * _horizontalStride;
            float** rows = s.Rows;
            for (int t = 0; t < pass.Taps.Length; t++) rows[t] = raw + pass.Taps[t].Offset;
            fixed (float* w = pass.Weights)
                Dot(rows, w, pass.Taps.Length, h, _outLength);
        }
    }

    private void FlatRow(int top, Scratch s, byte* srcBase, byte* outRow, int oy)
    {
        for (int p = 0; p < _passes.Length; p++) ComputePass(p, top, s, s.Acc[p]);
        if (_filter.Mode == FilterMode.GradientMagnitude) RowOps.Magnitude(s.Acc[0], s.Acc[1], _outLength);
        if (_allSelected)
        {
            RowOps.Store(s.Acc[0], _filter.Bias, outRow, _outLength);
            return;
        }
        int C = _g.InputChannels;
        byte* inRow = srcBase + (long)oy * _g.Input.RowBytes; // selection implies same size
        float* acc = s.Acc[0];
        for (int i = 0; i < _outLength; i++)
            outRow[i] = _selected[i % C] ? Saturate.ToByte(acc[i] + _filter.Bias) : inRow[i];
    }

    private void PlanarRow(int top, Scratch s, byte* srcBase, byte* outRow, int oy)
    {
        int OC = _g.OutputChannels, Wo = _g.OutputWidth;
        for (int p = 0; p < _passes.Length; p++)
        {
            ComputePass(p, top, s, s.Acc[p]);
            float* acc = s.Acc[p];
            int c = _passes[p].Target;
            float bias = _biasPerTarget[p];
            for (int x = 0; x < Wo; x++) outRow[x * OC + c] = Saturate.ToByte(acc[x] + bias);
        }
        if (!_allSelected)
        {
            byte* inRow = srcBase + (long)oy * _g.Input.RowBytes;
            for (int x = 0; x < Wo; x++)
                for (int c = 0; c < OC; c++)
                    if (!_selected[c]) outRow[x * OC + c] = inRow[x * OC + c];
        }
    }

    // One kernel's response for the output row whose window starts at padded row `top`.
    private void ComputePass(int p, int top, Scratch s, float* acc)
    {
        var pass = _passes[p];
        float** rows = s.Rows;
        int dy = _g.Dilation.Y;
        if (pass.Vertical is { } vertical)
        {
            for (int ky = 0; ky < vertical.Length; ky++)
                rows[ky] = s.Horizontal[p] + (long)((top + ky * dy) % _ringSize) * _horizontalStride;
            fixed (float* w = vertical)
                RowOps.Dot(rows, w, vertical.Length, acc, _outLength);
            return;
        }
        for (int t = 0; t < pass.Taps.Length; t++)
        {
            ref readonly var tap = ref pass.Taps[t];
            rows[t] = s.Raw + (long)((top + tap.Row * dy) % _ringSize) * _rawStride + tap.Offset;
        }
        fixed (float* w = pass.Weights)
            Dot(rows, w, pass.Taps.Length, acc, _outLength);
    }

    // Horizontal stride > 1 reads every sx-th padded column; otherwise outputs are contiguous.
    private void Dot(float** rows, float* w, int taps, float* dst, int n)
    {
        if (_g.Stride.X == 1) RowOps.Dot(rows, w, taps, dst, n);
        else RowOps.DotStrided(rows, w, taps, dst, n, _g.Stride.X, _planar ? 1 : _g.InputChannels);
    }

    private Pass[] FlatPasses(FilterDefinition filter, int C, bool allowSeparable)
    {
        var kernels = filter.Mode == FilterMode.GradientMagnitude ? filter.Kernels : [filter.Kernels[0]];
        var passes = new Pass[kernels.Count];
        for (int i = 0; i < kernels.Count; i++)
        {
            var k = kernels[i].Scaled(filter.Scale);
            if (allowSeparable && k.TrySeparate(out var column, out var row) && FactorsStayFinite(column, row, filter.MaxInput))
            {
                var taps = Enumerable.Range(0, row.Length).Where(x => row[x] != 0f)
                    .Select(x => new Tap(0, x * _g.Dilation.X * C, row[x])).ToArray();
                passes[i] = new Pass(taps, column, 0);
            }
            else
            {
                passes[i] = new Pass(DirectTaps(k, plane: 0, planeStride: 0, C), null, 0);
            }
        }
        return passes;
    }

    // The 2-D sums fit float32 (FilterDefinition checks); with factors of very different sizes the horizontal
    // pass's sums might not, so such a kernel runs direct.
    private static bool FactorsStayFinite(float[] column, float[] row, double maxInput)
    {
        double r = row.Sum(x => Math.Abs((double)x)) * maxInput, c = column.Sum(x => Math.Abs((double)x));
        return r <= float.MaxValue && r * c <= float.MaxValue;
    }

    private Pass[] PlanarPasses(FilterDefinition filter, int C)
    {
        int planeStride = _g.PaddedWidth;
        if (filter.Mode == FilterMode.ChannelMix)
        {
            var layer = filter.Layer!;
            return Enumerable.Range(0, layer.OutChannels).Select(o => new Pass(
                Enumerable.Range(0, layer.InChannels)
                    .SelectMany(i => DirectTaps(layer.Weights[o][i].Scaled(filter.Scale), i, planeStride, 1)).ToArray(),
                null, o)).ToArray();
        }
        var targets = filter.Channels ?? Enumerable.Range(0, C).ToArray();
        return targets.Select((c, k) => new Pass(DirectTaps(filter.Kernels[k].Scaled(filter.Scale), c, planeStride, 1), null, c)).ToArray();
    }

    private Tap[] DirectTaps(Kernel k, int plane, int planeStride, int step)
    {
        var taps = new List<Tap>();
        for (int ky = 0; ky < k.Height; ky++)
            for (int kx = 0; kx < k.Width; kx++)
                if (k[ky, kx] != 0f)
                    taps.Add(new Tap(ky, plane * planeStride + kx * _g.Dilation.X * step, k[ky, kx]));
        return taps.ToArray();
    }

    /// <summary>One kernel weight: kernel row, offset (in floats) into the converted padded row, weight.</summary>
    private readonly record struct Tap(int Row, int Offset, float Weight);

    /// <summary>One kernel's work: its non-zero taps (horizontal taps if separable) and, if separable, the vertical weights.</summary>
    private sealed class Pass(Tap[] taps, float[]? vertical, int target)
    {
        public Tap[] Taps { get; } = taps;
        public float[] Weights { get; } = taps.Select(t => t.Weight).ToArray();
        public float[]? Vertical { get; } = vertical;
        public int Target { get; } = target;
    }

    /// <summary>A worker thread's buffers (<see cref="ScratchMemory"/>: pinned, cache-line aligned).</summary>
    private sealed class Scratch
    {
        private readonly ScratchMemory _memory = new();

        public Scratch(ConvolutionWorker w)
        {
            int maxTaps = Math.Max(w._passes.Max(p => p.Taps.Length), w._g.KernelHeight);
            Raw = w._needRaw ? _memory.Alloc<float>((long)w._ringSize * w._rawStride) : null;
            Line = _memory.Alloc<float>((long)w._g.PaddedWidth * w._g.InputChannels);
            Horizontal = new float*[w._passes.Length];
            Acc = new float*[w._passes.Length];
            for (int p = 0; p < w._passes.Length; p++)
            {
                if (w._passes[p].Vertical is not null) Horizontal[p] = _memory.Alloc<float>((long)w._ringSize * w._horizontalStride);
                Acc[p] = _memory.Alloc<float>(w._outLength);
            }
            Rows = (float**)_memory.Alloc<nint>(maxTaps);
            if (w._pair is { } pair) PairRows = (float**)_memory.Alloc<nint>(pair.Taps);
            // When no pass is direct the raw ring is unused and rows are converted through Line instead.
            if (Raw is null) Raw = Line;
        }

        public float* Raw;
        public readonly float* Line;
        public readonly float*[] Horizontal;
        public readonly float*[] Acc;
        public readonly float** Rows;
        public readonly float** PairRows; // two rows at a time: the taps' ring rows
    }
}
