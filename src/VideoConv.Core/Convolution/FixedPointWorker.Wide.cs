namespace VideoConv.Core.Convolution;

/// <summary>The wide plan's rows (<see cref="FixedPointPlan.Wide"/>): the row loop, in-place reads, and the pair tables.</summary>
internal sealed unsafe partial class FixedPointWorker
{
    // Output rows [start, end), whole rows at a time. Column strips (each strip running every row, so that its
    // ring of horizontal sums stays in L1: 5 × 1536 samples × 2 bytes = 15 KB instead of 57 KB) were slower —
    // measured, σ 1.2 Gaussian, 1080p BGR, one core, frames interleaved, min / median of 40: whole rows
    // 2.51 / 3.02 ms, strips of 2944 samples 3.92 / 4.89, of 1536 5.28 / 6.77, of 768 6.99 / 9.67 ms: reading
    // the frame in strided pieces costs more than the ring's L2 traffic.
    // (Two output rows per vertical call, six ring rows loaded for both instead of ten, made no difference:
    // min / median of 40 interleaved frames 2.31 / 2.91 ms against 2.28 / 2.95 ms one row at a time — the loop
    // is bound by its arithmetic, not by the ring's L2 reads.)
    private void WideRows(byte* srcBase, byte* dstBase, int start, int end, Scratch s, WideTables wide)
    {
        int dy = _g.Dilation.Y, kh = _g.KernelHeight, n = _outLength;
        int converted = int.MinValue; // highest padded row already in the ring
        for (int oy = start; oy < end; oy++)
        {
            int bottom = oy + (kh - 1) * dy;
            for (int pr = Math.Max(oy, converted + 1); pr <= bottom; pr++)
                WideHorizontal(pr, srcBase, s.Line, s.Ring + (long)(pr % _ringSize) * _ringStride, wide, 0, n);
            converted = bottom;
            SourcePrefetch.Rows(_g, srcBase, bottom + 1, 1);
            for (int ky = 0; ky < kh; ky++) s.Rows[ky] = s.Ring + (long)((oy + ky * dy) % _ringSize) * _ringStride;
            wide.VerticalStore(s.Rows, dstBase + (long)oy * _g.Output.RowBytes, n);
        }
    }

    /// <summary>When false, the wide path copies every padded row whole, as the others do (for the benchmark's A/B).</summary>
    internal static bool ReadSourceDirectly = true;

    // Samples [from, to) (block boundaries) of the wide horizontal pass of padded row pr into dst. Outputs whose
    // taps all fall inside the source row read it in place, in whole 32-sample blocks (the blocks every pass
    // uses); only the edges go through a padded copy. Measured (σ 1.2 Gaussian, 1080p BGR, one core, thread CPU
    // time, frames interleaved, 40 each): rows copied min 2.60 / median 3.19 ms, read in place 2.19 / 2.90 ms.
    private void WideHorizontal(int pr, byte* srcBase, byte* line, short* dst, WideTables wide, int from, int to)
    {
        int C = _g.InputChannels, span = (_g.KernelWidth - 1) * _g.Dilation.X;
        int sourceRow = _g.RowTable[pr];
        int a = from, b = from; // the interior blocks [a, b), empty unless read in place
        if (sourceRow >= 0 && ReadSourceDirectly && _g.PadLeft >= 0)
        {
            a = Math.Clamp((_g.PadLeft * C + 31) / 32 * 32, from, to);
            int end = Math.Min((_g.PadLeft + _g.Input.Width - span) * C, to);
            b = end > a ? a + (end - a) / 32 * 32 : a;
        }
        if (b > a)
        {
            byte* row = srcBase + (long)sourceRow * _g.Input.RowBytes - (long)_g.PadLeft * C; // padded sample i at row[i]
            wide.Horizontal(row + a, dst + a, b - a);
            FromPaddedLine(pr, srcBase, line, dst, wide, from, a);
            FromPaddedLine(pr, srcBase, line, dst, wide, b, to);
        }
        else FromPaddedLine(pr, srcBase, line, dst, wide, from, to);
    }

    // Samples [from, to) through a padded copy of just the columns they read.
    private void FromPaddedLine(int pr, byte* srcBase, byte* line, short* dst, WideTables wide, int from, int to)
    {
        if (to <= from) return;
        int C = _g.InputChannels, span = (_g.KernelWidth - 1) * _g.Dilation.X;
        PaddedRow(pr, srcBase, line, from / C, Math.Min(_g.PaddedWidth, (to - 1 + span * C) / C + 1));
        wide.Horizontal(line + from, dst + from, to - from);
    }

    /// <summary>
    /// A wide plan's tables: the horizontal byte pairs (offsets and pmaddubsw weights) and the vertical row pairs
    /// (terms, symmetric rows folded when their sum fits 16 bits, and pmaddwd weights), pinned for the worker's life.
    /// </summary>
    private sealed class WideTables
    {
        private readonly int[] _offA, _offB, _terms, _columnPairs;
        private readonly short[] _rowPairs;
        private readonly short _offset;
        private readonly int _k, _shift;
        private readonly short[]? _symmetric; // weights of rows 0 … kh/2 when the column is a symmetric 3 or 5 rows, all folded

        public WideTables(FixedPointPlan plan, int tapStride)
        {
            short[] r = plan.Row!, c = plan.Column!;
            var pairs = FixedPointPlan.RowPairs(r);
            _offA = [.. pairs.Select(p => p.A * tapStride)];
            _offB = [.. pairs.Select(p => (p.B < 0 ? p.A : p.B) * tapStride)];
            _rowPairs = [.. pairs.Select(p => (short)((byte)r[p.A] | (p.B < 0 ? 0 : (byte)r[p.B]) << 8))];
            _offset = (short)plan.HorizontalOffset;

            var (hMin, hMax) = FixedPointPlan.HorizontalRange(r);
            long gMin = hMin - plan.HorizontalOffset, gMax = hMax - plan.HorizontalOffset;
            bool foldFits = 2 * gMin >= short.MinValue && 2 * gMax <= short.MaxValue;
            var terms = new List<(int A, int B, short Weight)>();
            for (int ky = 0, kh = c.Length; ky < kh; ky++)
            {
                int mirror = kh - 1 - ky;
                if (mirror < ky) break;
                if (mirror > ky && foldFits && c[mirror] == c[ky])
                {
                    if (c[ky] != 0) terms.Add((ky, mirror, c[ky]));
                    continue;
                }
                if (c[ky] != 0) terms.Add((ky, -1, c[ky]));
                if (mirror > ky && c[mirror] != 0) terms.Add((mirror, -1, c[mirror]));
            }
            if (terms.Count % 2 == 1) terms.Add((-1, -1, 0));
            _terms = new int[terms.Count * 2];
            _columnPairs = new int[terms.Count / 2];
            for (int p = 0; p < _columnPairs.Length; p++)
            {
                var (t1, t2) = (terms[2 * p], terms[2 * p + 1]);
                (_terms[4 * p], _terms[4 * p + 1], _terms[4 * p + 2], _terms[4 * p + 3]) = (t1.A, t1.B, t2.A, t2.B);
                _columnPairs[p] = (ushort)t1.Weight | t2.Weight << 16;
            }
            _k = plan.WideConstant;
            _shift = plan.Shift;
            bool symmetric = Enumerable.Range(0, c.Length).All(y => c[y] == c[c.Length - 1 - y]);
            if (c.Length is 3 or 5 && symmetric && foldFits) _symmetric = c[..(c.Length / 2 + 1)];
        }

        public void Horizontal(byte* src, short* dst, int n)
        {
            fixed (int* offA = _offA, offB = _offB)
            fixed (short* weights = _rowPairs)
            {
                if (_rowPairs.Length is 2 or 3) FixedPointWideRowOps.HorizontalFew(src, offA, offB, weights, _rowPairs.Length, _offset, dst, n);
                else FixedPointWideRowOps.Horizontal(src, offA, offB, weights, _rowPairs.Length, _offset, dst, n);
            }
        }

        public void VerticalStore(short** rows, byte* dst, int n)
        {
            fixed (int* terms = _terms, weights = _columnPairs)
            fixed (short* c = _symmetric)
            {
                if (_symmetric is not null) FixedPointWideRowOps.VerticalStoreSymmetric(rows, _symmetric.Length * 2 - 1, c, terms, weights, _columnPairs.Length, _k, _shift, dst, n);
                else FixedPointWideRowOps.VerticalStore(rows, terms, weights, _columnPairs.Length, _k, _shift, dst, n);
            }
        }
    }

}
