namespace VideoConv.Core.Convolution;

/// <summary>The direct plans' rows (one 2-D kernel, or a magnitude's two): interior columns read in place.</summary>
internal sealed unsafe partial class FixedPointWorker
{
    // Output rows [start, end). Output samples whose taps all fall inside the source ([_innerFrom, _innerTo))
    // read the source rows in place; the ring of padded rows is filled only at the edges that the others read
    // (whole rows only for rows outside the source). Measured, 1080p BGR sharpen, one core, thread CPU time,
    // frames interleaved, min / median of 40: rows copied 1.64 / 2.44 ms, read in place 1.48 / 2.33 ms.
    private void DirectRows(byte* srcBase, byte* dstBase, int start, int end, Scratch s)
    {
        int dy = _g.Dilation.Y, kh = _g.KernelHeight, n = _outLength, taps = _offsets.Length;
        int C = _g.InputChannels;
        bool inner = _innerTo > _innerFrom && ReadSourceDirectly;
        int converted = int.MinValue; // highest padded row already in the ring
        fixed (int* offsets = _offsets)
        {
            for (int oy = start; oy < end; oy++)
            {
                int bottom = oy + (kh - 1) * dy;
                for (int pr = Math.Max(oy, converted + 1); pr <= bottom; pr++)
                {
                    byte* ringRow = s.Bytes + (long)(pr % _ringSize) * _paddedStride;
                    if (!inner || _g.RowTable[pr] < 0) PaddedRow(pr, srcBase, ringRow);
                    else
                    {
                        PaddedRow(pr, srcBase, ringRow, 0, Math.Min(_g.PaddedWidth, (_innerFrom - 1 + _spanX * C) / C + 1));
                        PaddedRow(pr, srcBase, ringRow, _innerTo / C, _g.PaddedWidth);
                    }
                }
                converted = bottom;
                SourcePrefetch.Rows(_g, srcBase, bottom + 1, 1);
                for (int t = 0; t < taps; t++)
                {
                    int pr = oy + _tapRows[t] * dy;
                    s.ByteRows[t] = s.Bytes + (long)(pr % _ringSize) * _paddedStride + offsets[t];
                    int sourceRow = _g.RowTable[pr];
                    s.InnerRows[t] = inner && sourceRow >= 0
                        ? srcBase + (long)sourceRow * _g.Input.RowBytes + offsets[t] - (long)_g.PadLeft * C // padded sample i at [i]
                        : s.ByteRows[t];
                }
                byte* outRow = dstBase + (long)oy * _g.Output.RowBytes;
                if (!inner) DirectSegment(s.ByteRows, 0, n, outRow, s);
                else
                {
                    DirectSegment(s.ByteRows, 0, _innerFrom, outRow, s);
                    DirectSegment(s.InnerRows, _innerFrom, _innerTo, outRow, s);
                    DirectSegment(s.ByteRows, _innerTo, n, outRow, s);
                }
            }
        }
    }

    /// <summary>When false, a magnitude's rows go through DirectSums and MagnitudeStore also with AVX2 (for the benchmark's A/B).</summary>
    internal static bool FusedMagnitude = true;

    // Output samples [from, to) of one row, from the taps' rows.
    private void DirectSegment(byte** rows, int from, int to, byte* outRow, Scratch s)
    {
        if (to <= from) return;
        if (_plan.Magnitude && FusedMagnitude && MagnitudeRowOps.IsSupported)
        {
            int positions = _unionTap.Length;
            for (int u = 0; u < positions; u++) s.UnionRows[u] = rows[_unionTap[u]] + from;
            fixed (short* wx = _unionX, wy = _unionY)
                from += MagnitudeRowOps.DirectMagnitudeStore(s.UnionRows, wx, wy, positions, _plan.MagnitudeBias, outRow + from, to - from);
            if (to <= from) return;
        }
        int taps = _offsets.Length, n = to - from;
        for (int t = 0; t < taps; t++) s.SegmentRows[t] = rows[t] + from;
        fixed (short* weights = _rowWeights)
        {
            if (_plan.Magnitude)
            {
                FixedPointRowOps.DirectSums(s.SegmentRows, weights, _tapsX, s.Gx, n);
                FixedPointRowOps.DirectSums(s.SegmentRows + _tapsX, weights + _tapsX, taps - _tapsX, s.Gy, n);
                FixedPointRowOps.MagnitudeStore(s.Gx, s.Gy, _plan.MagnitudeBias, s.FloatX, s.FloatY, outRow + from, n);
            }
            else FixedPointRowOps.DirectStore(s.SegmentRows, weights, taps, (short)_plan.Bias, _plan.Shift, _plan.Signed, outRow + from, n);
        }
    }
}
