using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Geometry;

/// <summary>The horizontal pass of bilinear and bicubic resizes: each source row into 32-bit sums per output sample.</summary>
internal sealed unsafe partial class ResizeFilter
{
    // Integer sums, so any order gives OpenCV's values. The middle of the row (taps adjacent, loads inside the row)
    // in vectors where there are (3 or 4 channels), the edges and everything else in scalar code specialised per
    // channel count (a loop over a variable channel count cost ≈ 2× on 1080p BGR).
    private void Horizontal(byte* S, int* D)
    {
        int width = _plan.DstWidth;
        fixed (int* index = _plan.XIndex)
        fixed (short* weight = _plan.XWeights)
        {
            var (from, to) = _vectorRange;
            if (to > from && Ssse3.IsSupported && Sse41.IsSupported)
            {
                HorizontalScalar(S, D, index, weight, 0, from);
                if (_plan.Taps == 2) HorizontalLinearVector(S, D, index, weight, from, to);
                else HorizontalCubicVector(S, D, index, weight, from, to);
                HorizontalScalar(S, D, index, weight, to, width);
            }
            else HorizontalScalar(S, D, index, weight, 0, width);
        }
    }

    private void HorizontalScalar(byte* S, int* D, int* index, short* weight, int from, int to)
    {
        int C = _channels;
        D += from * C;
        if (_plan.Taps == 2)
        {
            switch (C)
            {
                case 3:
                    for (int dx = from; dx < to; dx++, D += 3)
                    {
                        byte* p0 = S + index[2 * dx] * 3, p1 = S + index[2 * dx + 1] * 3;
                        int a0 = weight[2 * dx], a1 = weight[2 * dx + 1];
                        D[0] = p0[0] * a0 + p1[0] * a1;
                        D[1] = p0[1] * a0 + p1[1] * a1;
                        D[2] = p0[2] * a0 + p1[2] * a1;
                    }
                    return;
                case 1:
                    for (int dx = from; dx < to; dx++, D++)
                        D[0] = S[index[2 * dx]] * weight[2 * dx] + S[index[2 * dx + 1]] * weight[2 * dx + 1];
                    return;
                case 4:
                    for (int dx = from; dx < to; dx++, D += 4)
                    {
                        byte* p0 = S + index[2 * dx] * 4, p1 = S + index[2 * dx + 1] * 4;
                        int a0 = weight[2 * dx], a1 = weight[2 * dx + 1];
                        D[0] = p0[0] * a0 + p1[0] * a1;
                        D[1] = p0[1] * a0 + p1[1] * a1;
                        D[2] = p0[2] * a0 + p1[2] * a1;
                        D[3] = p0[3] * a0 + p1[3] * a1;
                    }
                    return;
                default:
                    for (int dx = from; dx < to; dx++, D += C)
                    {
                        byte* p0 = S + index[2 * dx] * C, p1 = S + index[2 * dx + 1] * C;
                        int a0 = weight[2 * dx], a1 = weight[2 * dx + 1];
                        for (int c = 0; c < C; c++) D[c] = p0[c] * a0 + p1[c] * a1;
                    }
                    return;
            }
        }
        for (int dx = from; dx < to; dx++, D += C)
        {
            int* i = index + 4 * dx;
            short* a = weight + 4 * dx;
            int a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            byte* p0 = S + i[0] * C, p1 = S + i[1] * C, p2 = S + i[2] * C, p3 = S + i[3] * C;
            if (C == 3)
            {
                D[0] = p0[0] * a0 + p1[0] * a1 + p2[0] * a2 + p3[0] * a3;
                D[1] = p0[1] * a0 + p1[1] * a1 + p2[1] * a2 + p3[1] * a3;
                D[2] = p0[2] * a0 + p1[2] * a1 + p2[2] * a2 + p3[2] * a3;
            }
            else
                for (int c = 0; c < C; c++) D[c] = p0[c] * a0 + p1[c] * a1 + p2[c] * a2 + p3[c] * a3;
        }
    }

    // Bilinear taps of 3- or 4-channel pixels, one output pixel per step: its two (adjacent) source pixels in one
    // 8-byte load, their channels paired by a shuffle, widened to 16 bits and multiplied by (a0, a1) with pmaddwd
    // (the same integer sums), over the pixels VectorRange allows.
    private void HorizontalLinearVector(byte* S, int* D, int* index, short* weight, int from, int to)
    {
        int C = _channels;
        D += from * C;
        var pair = C == 3
            ? Vector128.Create((byte)0, 3, 1, 4, 2, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)
            : Vector128.Create((byte)0, 4, 1, 5, 2, 6, 3, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        for (int dx = from; dx < to; dx++, D += C)
        {
            var bytes = Vector128.CreateScalarUnsafe(*(ulong*)(S + index[2 * dx] * C)).AsByte();
            var px = Sse41.ConvertToVector128Int16(Ssse3.Shuffle(bytes, pair));
            var w = Vector128.Create(*(int*)(weight + 2 * dx)).AsInt16();   // (a0, a1) in every pair
            Sse2.MultiplyAddAdjacent(px, w).Store(D);
        }
    }

    // Bicubic taps of 3- or 4-channel pixels: the four adjacent source pixels in one 16-byte load, taps 0–1 and 2–3
    // paired by two shuffles and multiplied by (a0, a1) and (a2, a3) with pmaddwd, then added: the same integer sums.
    private void HorizontalCubicVector(byte* S, int* D, int* index, short* weight, int from, int to)
    {
        int C = _channels;
        D += from * C;
        Vector128<byte> lo, hi;
        if (C == 3)
        {
            lo = Vector128.Create((byte)0, 3, 1, 4, 2, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
            hi = Vector128.Create((byte)6, 9, 7, 10, 8, 11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        }
        else
        {
            lo = Vector128.Create((byte)0, 4, 1, 5, 2, 6, 3, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
            hi = Vector128.Create((byte)8, 12, 9, 13, 10, 14, 11, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        }
        for (int dx = from; dx < to; dx++, D += C)
        {
            var bytes = Vector128.Load(S + index[4 * dx] * C);
            var p01 = Sse41.ConvertToVector128Int16(Ssse3.Shuffle(bytes, lo));
            var p23 = Sse41.ConvertToVector128Int16(Ssse3.Shuffle(bytes, hi));
            var w01 = Vector128.Create(*(int*)(weight + 4 * dx)).AsInt16();
            var w23 = Vector128.Create(*(int*)(weight + 4 * dx + 2)).AsInt16();
            (Sse2.MultiplyAddAdjacent(p01, w01) + Sse2.MultiplyAddAdjacent(p23, w23)).Store(D);
        }
    }

    // The output pixels the vector horizontal passes do: those whose taps are adjacent source pixels with the load
    // (8 bytes bilinear, 16 bicubic) inside the source row; for 3 channels never the last output pixel, whose 16-byte
    // store would run one int past the row (inside the range the next pixel rewrites that int).
    private static (int From, int To) VectorRange(ResizePlan plan, int channels)
    {
        if (channels is not (3 or 4) || plan.Kernel is not (ResizeKernel.Linear or ResizeKernel.Cubic)) return (0, 0);
        int taps = plan.Taps, load = taps == 2 ? 8 : 16, rowBytes = plan.SrcWidth * channels;
        int limit = channels == 3 ? plan.DstWidth - 1 : plan.DstWidth;
        bool Fits(int dx)
        {
            for (int k = 1; k < taps; k++)
                if (plan.XIndex[taps * dx + k] != plan.XIndex[taps * dx] + k) return false;
            return plan.XIndex[taps * dx] * channels + load <= rowBytes;
        }
        int from = 0;
        while (from < limit && !Fits(from)) from++;
        int to = from;
        while (to < limit && Fits(to)) to++;
        return (from, to);
    }
}
