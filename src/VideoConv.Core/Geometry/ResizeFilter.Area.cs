using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Geometry;

/// <summary>Area resizes (shrinking): OpenCV's block sums for integer factors, its cell-fraction sums otherwise.</summary>
internal sealed unsafe partial class ResizeFilter
{
    // resizeAreaFast_: block sums; 2×2 on 1, 3 or 4 channels as its SIMD path, (sum + 2) ≫ 2, else sum · (1/area)
    // rounded half to even; blocks cut by the frame's edge average what they cover.
    private void AreaFastRows(byte* src, byte* dst, int start, int end, Scratch scratch)
    {
        int C = _channels, fx = _plan.FactorX, fy = _plan.FactorY, n = _samples;
        int srcRow = Input.RowBytes, srcSamples = Input.RowBytes;
        int area = fx * fy;
        float scale = 1f / area;
        bool halves = fx == 2 && fy == 2 && C is 1 or 3 or 4;
        for (int dy = start; dy < end; dy++)
        {
            byte* D = dst + (long)dy * Output.RowBytes;
            int sy0 = dy * fy;
            if (sy0 >= Input.Height)
            {
                new Span<byte>(D, n).Clear();
                continue;
            }
            int w = sy0 + fy <= Input.Height ? Input.Width / fx * C : 0;
            byte* S = src + (long)sy0 * srcRow;
            if (halves) Halves(S, S + srcRow, D, w / C);
            else Blocks(S, D, w / C, fx, fy, scale, scratch.Columns);
            for (int x = w; x < n; x++)
            {
                int sx0 = x / C * fx * C + x % C;
                int sum = 0, count = 0;
                for (int r = 0; r < fy && sy0 + r < Input.Height; r++)
                    for (int q = 0; q < fx * C && sx0 + q < srcSamples; q += C)
                    {
                        sum += S[(long)r * srcRow + sx0 + q];
                        count++;
                    }
                D[x] = count == 0 ? (byte)0 : Clamp((int)MathF.Round((float)sum / count, MidpointRounding.ToEven));
            }
        }
    }

    // 2×2 means of full blocks, (a + b + c + d + 2) ≫ 2: the middle in vectors (the pixel pairs' channels side by
    // side by a shuffle, summed by pmaddubsw with ones, the two rows added), the rest in scalar code. Each step
    // loads 16 bytes of each row and stores 8, both inside their rows.
    private void Halves(byte* a, byte* b, byte* D, int pixels)
    {
        int C = _channels, p = 0;
        if (Ssse3.IsSupported)
        {
            int step = C == 1 ? 8 : 2;   // output pixels per vector step
            var pairs = C switch
            {
                1 => Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                3 => Vector128.Create((byte)0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, 0x80, 0x80, 0x80, 0x80),
                _ => Vector128.Create((byte)0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15),
            };
            var ones = Vector128.Create((sbyte)1);
            var two = Vector128.Create((short)2);
            int srcBytes = Input.RowBytes, dstBytes = Output.RowBytes;
            for (; p + step <= pixels && p * 2 * C + 16 <= srcBytes && p * C + 8 <= dstBytes; p += step)
            {
                var top = Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(Vector128.Load(a + p * 2 * C), pairs), ones);
                var bottom = Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(Vector128.Load(b + p * 2 * C), pairs), ones);
                var mean = Vector128.ShiftRightArithmetic(top + bottom + two, 2);
                *(ulong*)(D + p * C) = Sse2.PackUnsignedSaturate(mean, mean).AsUInt64().ToScalar();
            }
        }
        for (; p < pixels; p++)
        {
            byte* u = a + p * 2 * C, v = b + p * 2 * C, d = D + p * C;
            for (int c = 0; c < C; c++) d[c] = (byte)((u[c] + u[c + C] + v[c] + v[c + C] + 2) >> 2);
        }
    }

    // fx × fy block sums of full blocks, times 1/area in float, rounded half to even. Integer sums, so summed
    // columns first (the block row's fy source rows added, 16 samples a step) and then fx columns at a time.
    private void Blocks(byte* S, byte* D, int pixels, int fx, int fy, float scale, int* columns)
    {
        int C = _channels, srcRow = Input.RowBytes, used = pixels * fx * C;
        for (int r = 0; r < fy; r++)
        {
            byte* row = S + (long)r * srcRow;
            int j = 0;
            if (Vector128.IsHardwareAccelerated)
                for (; j <= used - 16; j += 16)
                {
                    var (lo, hi) = Vector128.Widen(Vector128.Load(row + j));
                    var (a, b) = Vector128.Widen(lo);
                    var (c, d) = Vector128.Widen(hi);
                    uint* col = (uint*)columns + j;
                    if (r == 0)
                    {
                        a.Store(col); b.Store(col + 4); c.Store(col + 8); d.Store(col + 12);
                    }
                    else
                    {
                        (Vector128.Load(col) + a).Store(col);
                        (Vector128.Load(col + 4) + b).Store(col + 4);
                        (Vector128.Load(col + 8) + c).Store(col + 8);
                        (Vector128.Load(col + 12) + d).Store(col + 12);
                    }
                }
            for (; j < used; j++) columns[j] = r == 0 ? row[j] : columns[j] + row[j];
        }
        for (int p = 0; p < pixels; p++, D += C)
        {
            int* block = columns + p * fx * C;
            for (int c = 0; c < C; c++)
            {
                int sum = 0;
                for (int q = 0; q < fx; q++) sum += block[q * C + c];
                D[c] = Clamp((int)MathF.Round(sum * scale, MidpointRounding.ToEven));
            }
        }
    }

    // ResizeArea_Invoker: per output row, each covering source row resampled in float (buf), weighted into sum, rounded.
    private void AreaTableRows(byte* src, byte* dst, int start, int end, Scratch s)
    {
        int C = _channels, n = _samples;
        float* buf = (float*)s.Ring, sum = (float*)s.Ring + _ringStride;
        int cached = -1;   // the source row buf holds: the last row of one output row is often the first of the next
        var xtab = _plan.XTable;
        for (int dy = start; dy < end; dy++)
        {
            for (int j = _plan.YStart[dy]; j < _plan.YStart[dy + 1]; j++)
            {
                var (_, sy, beta) = _plan.YTable[j];
                if (sy != cached)
                {
                    HorizontalArea(src + (long)sy * Input.RowBytes, buf, xtab);
                    cached = sy;
                }
                Accumulate(sum, buf, beta, n, first: j == _plan.YStart[dy]);
            }
            Store(sum, dst + (long)dy * Output.RowBytes, n);
        }
    }

    // sum = beta·buf (the first source row of an output row) or sum += beta·buf: element-wise, so vectors give the same bits.
    private static void Accumulate(float* sum, float* buf, float beta, int n, bool first)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(beta);
            if (first)
                for (; x <= n - 8; x += 8) (b * Vector256.Load(buf + x)).Store(sum + x);
            else
                for (; x <= n - 8; x += 8) (Vector256.Load(sum + x) + b * Vector256.Load(buf + x)).Store(sum + x);
        }
        if (first)
            for (; x < n; x++) sum[x] = beta * buf[x];
        else
            for (; x < n; x++) sum[x] += beta * buf[x];
    }

    // saturate_cast<uchar>(float): round half to even, clamp.
    private static void Store(float* sum, byte* D, int n)
    {
        int x = 0;
        if (Vector256.IsHardwareAccelerated && Avx.IsSupported)
        {
            var zero = Vector256<int>.Zero;
            var max = Vector256.Create(255);
            for (; x <= n - 16; x += 16)
            {
                var r0 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(sum + x)), zero), max);
                var r1 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(sum + x + 8)), zero), max);
                Vector128.Narrow(Vector256.Narrow(r0, r1).GetLower().AsUInt16(), Vector256.Narrow(r0, r1).GetUpper().AsUInt16()).Store(D + x);
            }
        }
        for (; x < n; x++) D[x] = Clamp((int)MathF.Round(sum[x], MidpointRounding.ToEven));
    }

    // One source row's area sums in float, entry by entry in table order, as OpenCV accumulates them.
    private void HorizontalArea(byte* S, float* buf, ResizePlan.AreaEntry[] xtab)
    {
        int C = _channels;
        new Span<float>(buf, _samples).Clear();
        fixed (ResizePlan.AreaEntry* table = xtab)
        {
            ResizePlan.AreaEntry* e = table, last = table + xtab.Length;
            if (C == 3)
            {
                for (; e < last; e++)
                {
                    float* b = buf + e->Dst * 3;
                    byte* p = S + e->Src * 3;
                    float alpha = e->Alpha;
                    float t0 = b[0] + p[0] * alpha, t1 = b[1] + p[1] * alpha, t2 = b[2] + p[2] * alpha;
                    b[0] = t0;
                    b[1] = t1;
                    b[2] = t2;
                }
                return;
            }
            for (; e < last; e++)
            {
                float* b = buf + e->Dst * C;
                byte* p = S + e->Src * C;
                for (int c = 0; c < C; c++) b[c] = b[c] + p[c] * e->Alpha;
            }
        }
    }
}
