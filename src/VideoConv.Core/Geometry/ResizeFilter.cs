using System.Runtime.Intrinsics;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Geometry;

/// <summary>
/// A resize step, computed as OpenCV's <c>cv::resize</c> computes 8-bit frames (its generic, non-IPP code), so the
/// results can be compared bit for bit: <see cref="ResizePlan"/> builds the same tables, and each output row is
/// formed the same way — a horizontal pass into 32-bit sums (11-bit weights), then a vertical pass with OpenCV's
/// own rounding (bilinear: <c>((b0·(S0 ≫ 4)) ≫ 16 + (b1·(S1 ≫ 4)) ≫ 16 + 2) ≫ 2</c>; bicubic: float, as its SIMD
/// loop, with the integer formula on the last <c>width mod 8</c> samples as its scalar tail), or OpenCV's area sums.
/// </summary>
/// <remarks>
/// Each thread keeps a ring of the horizontally resampled source rows it needs (2 or 4), so consecutive output
/// rows reuse them; bands of rows are independent, so any split gives the same bits. Applying allocates nothing.
/// </remarks>
internal sealed unsafe class ResizeFilter : IBandFilter
{
    private readonly ResizePlan _plan;
    private readonly BandScheduler _scheduler;
    private readonly int _channels;
    private readonly int _samples;        // output samples per row
    private readonly int _ringStride;
    private readonly (int From, int To) _vectorRange;  // output pixels the vector horizontal passes do (3 or 4 channels)
    private readonly Scratch[] _scratch;  // per scheduler thread
    private readonly Lock _applyGate = new();

    public ResizeFilter(FilterDefinition filter, ImageFormat input, BandScheduler scheduler)
    {
        var spec = filter.Resize ?? throw new FilterDefinitionException($"filter '{filter.Name}': a resize step needs a size", "resize");
        Output = OutputFor(spec, input);
        Input = input;
        Method = spec.Method;
        _scheduler = scheduler;
        _channels = input.Channels;
        _samples = Output.RowBytes;
        _plan = new ResizePlan(input.Width, input.Height, Output.Width, Output.Height, spec.Method);
        _ringStride = ScratchMemory.Stride<int>(_samples);
        _vectorRange = VectorRange(_plan, _channels);
        _scratch = new Scratch[scheduler.Workers];
        for (int w = 0; w < _scratch.Length; w++) _scratch[w] = new Scratch(_plan, _ringStride, _samples);
    }

    /// <summary>The format a resize to <paramref name="spec"/> makes from <paramref name="input"/> frames; throws when the size is refused.</summary>
    public static ImageFormat OutputFor(ResizeSpec spec, ImageFormat input)
    {
        spec.Validate();
        var (w, h) = spec.SizeFor(input.Width, input.Height);
        return new ImageFormat(w, h, input.Channels);
    }

    /// <summary>Per-thread bytes a resize of <paramref name="input"/> to <paramref name="output"/> allocates, for the chain's memory estimate (an upper bound).</summary>
    public static long ScratchBytes(ImageFormat input, ImageFormat output)
    {
        long row = ScratchMemory.Stride<int>(output.RowBytes) * 4L + 2 * ScratchMemory.Alignment;
        return 4 * row + (input.Width + input.Height) * 2L * 12 + (output.Width + output.Height) * 4L * 6;
    }

    public ImageFormat Input { get; }
    public ImageFormat Output { get; }
    public ResizeMethod Method { get; }
    public string Path => $"resize {Method.ToString().ToLowerInvariant()} ({_plan.Kernel.ToString().ToLowerInvariant()})";
    public int SamplesPerRow => _samples * Math.Max(1, _plan.Taps);

    public void Apply(Image src, Image dst)
    {
        FrameFilterArguments.Check(this, src, dst);
        lock (_applyGate)
            _scheduler.Run(new FilterBands(this, (byte*)src.Pointer, (byte*)dst.Pointer), Output.Height, SamplesPerRow);
    }

    public void RowsAt(byte* src, byte* dst, int start, int end, int worker)
    {
        switch (_plan.Kernel)
        {
            case ResizeKernel.Copy:
                long bytes = (long)(end - start) * Output.RowBytes;
                Buffer.MemoryCopy(src + (long)start * Output.RowBytes, dst + (long)start * Output.RowBytes, bytes, bytes);
                break;
            case ResizeKernel.AreaFast:
                AreaFastRows(src, dst, start, end);
                break;
            case ResizeKernel.AreaTable:
                AreaTableRows(src, dst, start, end, _scratch[worker]);
                break;
            default:
                SeparableRows(src, dst, start, end, _scratch[worker]);
                break;
        }
    }

    // ---- Bilinear and bicubic: horizontal pass into a ring of int rows, then the vertical pass -------------------

    private void SeparableRows(byte* src, byte* dst, int start, int end, Scratch s)
    {
        int taps = _plan.Taps;
        var tags = s.Tags;
        for (int k = 0; k < taps; k++) tags[k] = -1;   // a band starts with an empty ring
        int** used = stackalloc int*[4];
        for (int dy = start; dy < end; dy++)
        {
            for (int k = 0; k < taps; k++)
            {
                int sy = _plan.YIndex[dy * taps + k];
                int slot = sy % taps;  // a row's taps are consecutive source rows (repeated at the edges): distinct slots
                int* ring = s.Ring + (long)slot * _ringStride;
                if (tags[slot] != sy)
                {
                    Horizontal(src + (long)sy * Input.RowBytes, ring);
                    tags[slot] = sy;
                }
                used[k] = ring;
            }
            byte* d = dst + (long)dy * Output.RowBytes;
            if (taps == 2) VerticalLinear(used[0], used[1], _plan.YWeights[dy * 2], _plan.YWeights[dy * 2 + 1], d);
            else VerticalCubic(used, _plan.YWeights.AsSpan(dy * 4, 4), d);
        }
    }

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
            if (to > from && System.Runtime.Intrinsics.X86.Ssse3.IsSupported && System.Runtime.Intrinsics.X86.Sse41.IsSupported)
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
                default:
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
            var px = System.Runtime.Intrinsics.X86.Sse41.ConvertToVector128Int16(System.Runtime.Intrinsics.X86.Ssse3.Shuffle(bytes, pair));
            var w = Vector128.Create(*(int*)(weight + 2 * dx)).AsInt16();   // (a0, a1) in every pair
            System.Runtime.Intrinsics.X86.Sse2.MultiplyAddAdjacent(px, w).Store(D);
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
            var p01 = System.Runtime.Intrinsics.X86.Sse41.ConvertToVector128Int16(System.Runtime.Intrinsics.X86.Ssse3.Shuffle(bytes, lo));
            var p23 = System.Runtime.Intrinsics.X86.Sse41.ConvertToVector128Int16(System.Runtime.Intrinsics.X86.Ssse3.Shuffle(bytes, hi));
            var w01 = Vector128.Create(*(int*)(weight + 4 * dx)).AsInt16();
            var w23 = Vector128.Create(*(int*)(weight + 4 * dx + 2)).AsInt16();
            (System.Runtime.Intrinsics.X86.Sse2.MultiplyAddAdjacent(p01, w01) + System.Runtime.Intrinsics.X86.Sse2.MultiplyAddAdjacent(p23, w23)).Store(D);
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

    // OpenCV's VResizeLinear for 8-bit (its SIMD loop and its scalar tail compute exactly this).
    private void VerticalLinear(int* S0, int* S1, int b0, int b1, byte* D)
    {
        int n = _samples, x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb0 = Vector256.Create(b0);
            var vb1 = Vector256.Create(b1);
            var two = Vector256.Create(2);
            var zero = Vector256<int>.Zero;
            var max = Vector256.Create(255);
            for (; x <= n - 32; x += 32)
            {
                var r0 = Lin(Vector256.Load(S0 + x), Vector256.Load(S1 + x));
                var r1 = Lin(Vector256.Load(S0 + x + 8), Vector256.Load(S1 + x + 8));
                var r2 = Lin(Vector256.Load(S0 + x + 16), Vector256.Load(S1 + x + 16));
                var r3 = Lin(Vector256.Load(S0 + x + 24), Vector256.Load(S1 + x + 24));
                var lo = Vector256.Narrow(r0, r1).AsUInt16();
                var hi = Vector256.Narrow(r2, r3).AsUInt16();
                Vector256.Narrow(lo, hi).Store(D + x);
            }

            Vector256<int> Lin(Vector256<int> s0, Vector256<int> s1)
            {
                var v = Vector256.ShiftRightArithmetic(vb0 * Vector256.ShiftRightArithmetic(s0, 4), 16)
                      + Vector256.ShiftRightArithmetic(vb1 * Vector256.ShiftRightArithmetic(s1, 4), 16);
                return Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(v + two, 2), zero), max);
            }
        }
        for (; x < n; x++)
            D[x] = Clamp(((((b0 * (S0[x] >> 4)) >> 16) + ((b1 * (S1[x] >> 4)) >> 16) + 2) >> 2));
    }

    // OpenCV's VResizeCubic for 8-bit: its SIMD loop (8 samples a step) in float, (((S0·b0 + S1·b1) + S2·b2) + S3·b3)
    // rounded half to even; the samples past the last full step in integers, (Σ S·b + 2^21) ≫ 22.
    private void VerticalCubic(int** S, ReadOnlySpan<short> beta, byte* D)
    {
        const float Scale = 1f / (ResizePlan.CoefScale * ResizePlan.CoefScale);
        float f0 = beta[0] * Scale, f1 = beta[1] * Scale, f2 = beta[2] * Scale, f3 = beta[3] * Scale;
        int* S0 = S[0], S1 = S[1], S2 = S[2], S3 = S[3];
        int n = _samples, vectorEnd = n / 8 * 8, x = 0;
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            // The same operations in the same order as the scalar loop below, 8 lanes at a time (no fused multiply-add:
            // OpenCV's loop has none); cvtps2dq rounds half to even as MathF.Round does.
            var v0 = Vector256.Create(f0);
            var v1 = Vector256.Create(f1);
            var v2 = Vector256.Create(f2);
            var v3 = Vector256.Create(f3);
            var zero = Vector256<int>.Zero;
            var max = Vector256.Create(255);
            for (; x <= vectorEnd - 32; x += 32)
            {
                var r0 = Cub(x);
                var r1 = Cub(x + 8);
                var r2 = Cub(x + 16);
                var r3 = Cub(x + 24);
                Vector256.Narrow(Vector256.Narrow(r0, r1).AsUInt16(), Vector256.Narrow(r2, r3).AsUInt16()).Store(D + x);
            }

            Vector256<int> Cub(int at)
            {
                var v = Vector256.ConvertToSingle(Vector256.Load(S0 + at)) * v0 + Vector256.ConvertToSingle(Vector256.Load(S1 + at)) * v1;
                v += Vector256.ConvertToSingle(Vector256.Load(S2 + at)) * v2;
                v += Vector256.ConvertToSingle(Vector256.Load(S3 + at)) * v3;
                return Vector256.Min(Vector256.Max(System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Int32(v), zero), max);
            }
        }
        for (; x < vectorEnd; x++)
        {
            float v = S0[x] * f0 + S1[x] * f1;
            v += S2[x] * f2;
            v += S3[x] * f3;
            D[x] = Clamp((int)MathF.Round(v, MidpointRounding.ToEven));
        }
        int b0 = beta[0], b1 = beta[1], b2 = beta[2], b3 = beta[3];
        for (; x < n; x++)
            D[x] = Clamp((S0[x] * b0 + S1[x] * b1 + S2[x] * b2 + S3[x] * b3 + (1 << 21)) >> 22);
    }

    // ---- Area ---------------------------------------------------------------------------------------------------

    // resizeAreaFast_: block sums; 2×2 on 1, 3 or 4 channels as its SIMD path, (sum + 2) ≫ 2, else sum · (1/area)
    // rounded half to even; blocks cut by the frame's edge average what they cover.
    private void AreaFastRows(byte* src, byte* dst, int start, int end)
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
            int x = 0;
            for (; x < w; x++)
            {
                int sx0 = x / C * fx * C + x % C;
                int sum = 0;
                for (int r = 0; r < fy; r++)
                    for (int q = 0; q < fx; q++) sum += S[(long)r * srcRow + sx0 + q * C];
                D[x] = halves ? (byte)((sum + 2) >> 2) : Clamp((int)MathF.Round(sum * scale, MidpointRounding.ToEven));
            }
            for (; x < n; x++)
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
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            var zero = Vector256<int>.Zero;
            var max = Vector256.Create(255);
            for (; x <= n - 16; x += 16)
            {
                var r0 = Vector256.Min(Vector256.Max(System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Int32(Vector256.Load(sum + x)), zero), max);
                var r1 = Vector256.Min(Vector256.Max(System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Int32(Vector256.Load(sum + x + 8)), zero), max);
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

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private sealed class Scratch
    {
        public Scratch(ResizePlan plan, int stride, int samples)
        {
            var memory = new ScratchMemory();
            int rows = plan.Kernel switch { ResizeKernel.Linear => 2, ResizeKernel.Cubic => 4, ResizeKernel.AreaTable => 2, _ => 0 };
            Ring = rows == 0 ? null : memory.Alloc<int>((long)rows * stride);
            Tags = new int[4];
            Memory = memory;
        }

        /// <summary>Owns the ring's pinned buffer.</summary>
        public ScratchMemory Memory { get; }
        public int* Ring { get; }
        public int[] Tags { get; }
    }
}
