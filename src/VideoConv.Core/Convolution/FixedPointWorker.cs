using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A kernel of small dyadic weights run in 16-bit integer lanes: twice the lanes of float32, no conversions,
/// half the bytes in the ring. Rank-one kernels (Gaussians from OpenCV's tables, binomial blurs,
/// [1 2 1] ⊗ [-1 0 1]) in two passes; others (sharpen, Laplacian, emboss) in one, with ±1 taps as plain
/// adds. Exact: same bits as <see cref="ConvolutionWorker"/> and the reference.
/// </summary>
/// <remarks>
/// Chosen by <see cref="ConvolutionEngine"/> only when <see cref="FixedPointPlan.TryCreate"/> proves the
/// sums fit. Measured on the 2-core CI machine (AMD EPYC, AVX2), 1080p BGR, median of 50, same run, this
/// path against the float path it replaces: sharpen 3×3 one pass 1.06–1.47 ms against 1.98–2.01 ms
/// (2 threads), 2.27–2.35 against 2.85–2.92 ms (1 thread); Gaussian 5×5 σ 0 two passes 2.05 ms against
/// ≈ 2.9 ms.
/// <para>A wide plan (the library's σ 1.2 Gaussian: 2-D sums up to 255·2^14) keeps 16-bit horizontal sums but
/// sums vertically in 32 bits (<see cref="FixedPointWideRowOps"/>). An earlier attempt at that was no faster than
/// float (5.1 against 4.5 ms); this one multiplies byte pairs (pmaddubsw) and folded row pairs (pmaddwd) with
/// weights held in registers and reads interior source rows in place. Measured, one core, thread CPU time, 1080p BGR,
/// same process: float two-pass 5.49–6.23 ms, wide 2.19–2.90 ms; per pass, horizontal 0.52 ms and vertical + store
/// 1.09–1.16 ms against the float path's widen 0.79, horizontal 1.84, vertical 1.96 and store 0.56 ms.</para>
/// <para>The other separable plans (σ 0 Gaussians, binomials) fold symmetric taps (<see cref="FoldedTerm"/>: [1 4 6 4 1]
/// is three terms, one add-only, one shift, one multiply), run 512-bit where AVX-512 is, and go vertical first, so that
/// a row's working set stays in L1. Measured on a 2-core AMD EPYC of family 26 with AVX-512 (Gaussian 5×5 σ 0, 1080p
/// BGR, minimum of 60, load average 1.6–3, a helper building at times), against the unfolded 256-bit horizontal-first
/// loops: one core 1.54–1.83 → 0.88–0.91 ms, two 0.96–1.39 → 0.43–0.49 ms (OpenCV's GaussianBlur on two threads,
/// alone: 0.71–0.82 ms on the same machine when quiet). Folding and 512-bit lanes gave the one-core gain; vertical first
/// gave the two-core one (0.53–0.62 ms horizontal first, folded). The 256-bit loops, on the same machine with AVX-512
/// switched off (DOTNET_EnableAVX512=0), one core: 1.36–1.48 ms unfolded, 1.12–1.24 folded with 64 outputs a step (at 32 a
/// step, 1.45–1.59: slower than unfolded). Not measured on an AVX2-only machine this session.</para>
/// </remarks>
internal sealed unsafe partial class FixedPointWorker : IFrameFilter, IRowFilter
{
    private readonly FilterDefinition _filter;
    private readonly ConvolutionGeometry _g;
    private readonly FixedPointPlan _plan;
    private readonly BandScheduler _scheduler;
    private readonly int _ringSize;       // rows a band keeps: (kh-1)·dy + 1 (horizontal sums, or padded bytes when direct)
    private readonly int _outLength;      // samples per output row, Wo·C
    private readonly int _paddedLength;   // bytes per padded row, Wp·C
    private readonly int _paddedStride;   // direct: bytes between rows of the ring (Wp·C rounded up to a cache line)
    private readonly int _ringStride;     // wide: shorts between rows of the ring (Wo·C rounded up to a cache line)
    private readonly int[] _offsets;      // taps: byte offsets into a padded row (separable: horizontal taps)
    private readonly int[] _tapRows;      // direct: each tap's kernel row
    private readonly short[] _rowWeights; // direct: every tap's weight
    private readonly FoldedTerm[] _rowTerms = [];    // separable: the horizontal taps folded (A, B: sample offsets into a padded row)
    private readonly FoldedTerm[] _columnTerms = []; // separable: the vertical taps folded (A, B: kernel rows)
    private readonly short _borderColumnSum;         // separable, constant border: a padded column outside the source, summed vertically
    private readonly WideTables? _wide;   // a wide plan's pairs (FixedPointWideRowOps)
    private readonly int _tapsX;          // magnitude: taps of gx (the rest are gy's)
    private readonly int[] _unionTap = [];   // magnitude: one tap per position either kernel uses (MagnitudeRowOps)
    private readonly short[] _unionX = [], _unionY = []; // magnitude: gx's and gy's weight at each of those (0: none)
    private readonly int _spanX;          // padded columns a window spans beyond its first: (kw-1)·dx
    private readonly int _innerFrom, _innerTo; // direct: output samples whose taps all read source columns
    private readonly Scratch[] _scratch;
    private readonly Lock _applyGate = new(); // the scratch is per scheduler thread: concurrent Apply calls on one worker take turns

    public FixedPointWorker(FilterDefinition filter, ConvolutionGeometry g, FixedPointPlan plan, BandScheduler scheduler)
    {
        _filter = filter;
        _g = g;
        _plan = plan;
        _scheduler = scheduler;
        int C = g.InputChannels;
        _ringSize = (g.KernelHeight - 1) * g.Dilation.Y + 1;
        _outLength = g.OutputWidth * C;
        _paddedLength = g.PaddedWidth * C;
        _paddedStride = ScratchMemory.Stride<byte>(_paddedLength);
        _ringStride = ScratchMemory.Stride<short>(_outLength);
        _spanX = (g.KernelWidth - 1) * g.Dilation.X;
        if (g.PadLeft >= 0)
        {
            _innerFrom = Math.Min(g.PadLeft * C, _outLength);
            _innerTo = Math.Clamp((g.PadLeft + g.Input.Width - _spanX) * C, _innerFrom, _outLength);
        }
        if (plan.Wide)
        {
            _wide = new WideTables(plan, g.Dilation.X * C);
            _offsets = _tapRows = [];
            _rowWeights = [];
        }
        else if (plan.Separable)
        {
            var taps = Enumerable.Range(0, plan.Row!.Length).Where(x => plan.Row[x] != 0).ToArray();
            _rowTerms = FoldedTerm.Fold([.. taps.Select(x => x * g.Dilation.X * C)], [.. taps.Select(x => plan.Row[x])]);
            var rows = Enumerable.Range(0, plan.Column!.Length).Where(y => plan.Column[y] != 0).ToArray();
            _columnTerms = FoldedTerm.Fold(rows, [.. rows.Select(y => plan.Column[y])]);
            _borderColumnSum = (short)(filter.BorderValue * plan.Column.Sum(v => v));
            _offsets = _tapRows = [];
            _rowWeights = [];
        }
        else
        {
            // Direct: every non-zero tap; a magnitude's gy taps follow its gx taps.
            static (int y, int x, short w)[] Taps(short[,] w) =>
                [.. from y in Enumerable.Range(0, w.GetLength(0)) from x in Enumerable.Range(0, w.GetLength(1)) where w[y, x] != 0 select (y, x, w[y, x])];
            var gx = Taps(plan.Weights!);
            var taps = plan.WeightsY is { } wy ? [.. gx, .. Taps(wy)] : gx;
            _tapsX = gx.Length;
            _offsets = taps.Select(t => t.x * g.Dilation.X * C).ToArray();
            _tapRows = taps.Select(t => t.y).ToArray();
            _rowWeights = taps.Select(t => t.w).ToArray();
            if (plan.Magnitude)
            {
                var positions = taps.Select((t, k) => (t.y, t.x, k)).GroupBy(t => (t.y, t.x)).ToArray();
                _unionTap = [.. positions.Select(p => p.First().k)];
                _unionX = [.. positions.Select(p => p.Where(t => t.k < _tapsX).Select(t => _rowWeights[t.k]).FirstOrDefault())];
                _unionY = [.. positions.Select(p => p.Where(t => t.k >= _tapsX).Select(t => _rowWeights[t.k]).FirstOrDefault())];
            }
        }
        Path = $"flat {(plan.Magnitude ? "magnitude" : plan.Separable ? "separable" : "direct")} fixed16{(plan.Wide ? "x32" : plan.Signed && !plan.Magnitude ? " signed" : "")} simd{VectorBits(plan)}";
        _scratch = new Scratch[scheduler.Workers];
        for (int w = 0; w < _scratch.Length; w++) _scratch[w] = new Scratch(this);
    }

    // The widest vectors this plan's loops use here: only the plain separable loops have a 512-bit tier.
    private static int VectorBits(FixedPointPlan plan) =>
        plan.Separable && !plan.Wide && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported ? 512
        : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? 256 : RowOps.VectorBits > 0 ? 128 : 0;

    public ImageFormat Input => _g.Input;
    public ImageFormat Output => _g.Output;
    public string Path { get; }

    public void Apply(Image src, Image dst)
    {
        FrameFilterArguments.Check(this, src, dst);
        lock (_applyGate)
            _scheduler.Run(new RowBands(this, src, dst), _g.OutputHeight, _outLength);
    }

    ConvolutionGeometry IRowFilter.Geometry => _g;
    bool IRowFilter.ReadsOwnRow => false;

    /// <summary>Output rows [start, end); the bases address row 0 of source and output (only rows the windows read and rows written are touched).</summary>
    void IRowFilter.RowsAt(byte* srcBase, byte* dstBase, int start, int end, int worker) => RowsAt(srcBase, dstBase, start, end, worker);

    private void RowsAt(byte* srcBase, byte* dstBase, int start, int end, int worker)
    {
        var s = _scratch[worker];
        if (_wide is { } wide)
        {
            WideRows(srcBase, dstBase, start, end, s, wide);
            return;
        }
        if (!_plan.Separable)
        {
            DirectRows(srcBase, dstBase, start, end, s);
            return;
        }
        fixed (FoldedTerm* rowTerms = _rowTerms)
        fixed (FoldedTerm* columnTerms = _columnTerms)
        {
            VerticalFirstRows(srcBase, dstBase, start, end, s, rowTerms, columnTerms);
        }
    }

    // A separable plan's rows, the vertical pass first: the window's source rows, read in place, summed into one 16-bit
    // row laid out as a padded row (its border columns copied, or the constant's sum), then the horizontal pass and the
    // store from that row. The same sums as horizontal-first (every sum is exact modulo 2^16), and everything a row
    // touches — kh source rows and the one 16-bit row, 5 × 5.6 + 11.3 KB for a 5×5 kernel on 1080p BGR — fits L1,
    // where horizontal-first keeps a ring of kh 16-bit rows (56 KB) in L2. Measured: see the class remarks. (Padding is
    // never negative, FilterDefinition refuses it, so every padded row holds its whole source row.)
    private void VerticalFirstRows(byte* srcBase, byte* dstBase, int start, int end, Scratch s, FoldedTerm* rowTerms, FoldedTerm* columnTerms)
    {
        int C = _g.InputChannels, W = _g.Input.Width, dy = _g.Dilation.Y;
        int left = _g.PadLeft * C, inner = W * C;
        short* line = s.Sums;
        for (int k = 0; k < _rowTerms.Length; k++)
        {
            s.LineA[k] = line + _rowTerms[k].A;
            s.LineB[k] = _rowTerms[k].B < 0 ? null : line + _rowTerms[k].B;
        }
        var cols = _g.ColumnTable;
        int window = (_g.KernelHeight - 1) * dy; // padded rows from a window's first to its last
        for (int oy = start; oy < end; oy++)
        {
            SourcePrefetch.Rows(_g, srcBase, oy + window + 1, 1);
            for (int k = 0; k < _columnTerms.Length; k++)
            {
                var term = _columnTerms[k];
                s.SourceA[k] = SourceRow(oy + term.A * dy, srcBase, s.BorderRow);
                s.SourceB[k] = term.B < 0 ? null : SourceRow(oy + term.B * dy, srcBase, s.BorderRow);
            }
            FixedPointRowOps.Sums(s.SourceA, s.SourceB, columnTerms, _columnTerms.Length, line + left, inner);
            for (int j = 0; j < _g.PaddedWidth; j++)
            {
                if (j == _g.PadLeft) { j = _g.PadLeft + W - 1; continue; }
                int sc = cols[j];
                for (int c = 0; c < C; c++) line[j * C + c] = sc < 0 ? _borderColumnSum : line[left + sc * C + c];
            }
            FixedPointRowOps.SumsStore(s.LineA, s.LineB, rowTerms, _rowTerms.Length, (short)_plan.Bias, _plan.Shift, _plan.Signed,
                dstBase + (long)oy * _g.Output.RowBytes, _outLength);
        }
    }

    // Source row of padded row pr, or a row of the border value (constant border, rows outside the source).
    private byte* SourceRow(int pr, byte* srcBase, byte* borderRow)
    {
        int sourceRow = _g.RowTable[pr];
        return sourceRow < 0 ? borderRow : srcBase + (long)sourceRow * _g.Input.RowBytes;
    }

    // Padded row pr as bytes into line (columns [from, to), at their own positions): the source row with its
    // border columns, or the border value.
    private byte* PaddedRow(int pr, byte* srcBase, byte* line, int from = 0, int to = int.MaxValue)
    {
        int C = _g.InputChannels, Wp = Math.Min(_g.PaddedWidth, to), W = _g.Input.Width;
        int sourceRow = _g.RowTable[pr];
        byte value = (byte)_filter.BorderValue;
        if (sourceRow < 0)
        {
            new Span<byte>(line + (long)from * C, (Wp - from) * C).Fill(value);
            return line;
        }
        byte* row = srcBase + (long)sourceRow * _g.Input.RowBytes;
        int j0 = Math.Clamp(_g.PadLeft, from, Wp), j1 = Math.Clamp(_g.PadLeft + W, from, Wp);
        if (j1 > j0) Buffer.MemoryCopy(row + (long)(j0 - _g.PadLeft) * C, line + (long)j0 * C, (long)(Wp - j0) * C, (long)(j1 - j0) * C);
        var cols = _g.ColumnTable;
        for (int j = from; j < Wp; j++)
        {
            if (j == j0 && j1 > j0) { j = j1 - 1; continue; }
            int sc = cols[j];
            for (int c = 0; c < C; c++) line[j * C + c] = sc < 0 ? value : row[sc * C + c];
        }
        return line;
    }

    /// <summary>A worker thread's buffers (<see cref="ScratchMemory"/>: pinned, cache-line aligned).</summary>
    private sealed class Scratch
    {
        private readonly ScratchMemory _memory = new();

        public Scratch(FixedPointWorker w)
        {
            if (w._plan.Separable)
            {
                if (w._plan.Wide)
                {
                    Line = _memory.Alloc<byte>(w._paddedLength);
                    Ring = _memory.Alloc<short>((long)w._ringSize * w._ringStride);
                    Rows = (short**)_memory.Alloc<nint>(w._g.KernelHeight);
                }
                else
                {
                    int rowTerms = Math.Max(1, w._rowTerms.Length), columnTerms = Math.Max(1, w._columnTerms.Length);
                    Sums = _memory.Alloc<short>(w._paddedLength);
                    BorderRow = _memory.Alloc<byte>(w._g.Input.RowBytes);
                    new Span<byte>(BorderRow, w._g.Input.RowBytes).Fill((byte)w._filter.BorderValue);
                    LineA = (short**)_memory.Alloc<nint>(rowTerms);
                    LineB = (short**)_memory.Alloc<nint>(rowTerms);
                    SourceA = (byte**)_memory.Alloc<nint>(columnTerms);
                    SourceB = (byte**)_memory.Alloc<nint>(columnTerms);
                }
            }
            else
            {
                Bytes = _memory.Alloc<byte>((long)w._ringSize * w._paddedStride);
                ByteRows = (byte**)_memory.Alloc<nint>(w._offsets.Length);
                InnerRows = (byte**)_memory.Alloc<nint>(w._offsets.Length);
                SegmentRows = (byte**)_memory.Alloc<nint>(w._offsets.Length);
                UnionRows = (byte**)_memory.Alloc<nint>(Math.Max(1, w._unionTap.Length));
                if (w._plan.Magnitude)
                {
                    Gx = _memory.Alloc<short>(w._outLength);
                    Gy = _memory.Alloc<short>(w._outLength);
                    FloatX = _memory.Alloc<float>(w._outLength);
                    FloatY = _memory.Alloc<float>(w._outLength);
                }
            }
        }

        public readonly byte* Line;      // wide: the padded row being filtered horizontally
        public readonly short* Ring;     // wide: ring of horizontal sums
        public readonly short** Rows;        // wide: the ring's rows of a window
        public readonly short* Sums;         // separable, vertical first: the window's vertical sums as a padded row
        public readonly byte* BorderRow;     // separable, vertical first: a source row of the border value
        public readonly short** LineA, LineB;        // vertical first: each horizontal term's two columns of Sums (B null: one)
        public readonly byte** SourceA, SourceB;     // vertical first: each vertical term's source rows
        public readonly byte* Bytes;     // direct: ring of padded rows, each starting on a cache line
        public readonly byte** ByteRows;    // direct: each tap's row in the ring (edges)
        public readonly byte** InnerRows;   // direct: each tap's row in the source (interior), or in the ring
        public readonly byte** SegmentRows; // direct: either, moved to a segment's first column
        public readonly byte** UnionRows;   // magnitude: the rows of the positions either kernel uses, likewise
        public readonly short* Gx, Gy;       // magnitude: the two exact 16-bit responses of a row
        public readonly float* FloatX, FloatY; // magnitude without AVX2: them as float, for RowOps
    }
}
