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
internal sealed unsafe partial class ResizeFilter : IBandFilter
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
        for (int w = 0; w < _scratch.Length; w++) _scratch[w] = new Scratch(_plan, _ringStride, _channels);
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
                AreaFastRows(src, dst, start, end, _scratch[worker]);
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

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private sealed class Scratch
    {
        public Scratch(ResizePlan plan, int stride, int channels)
        {
            var memory = new ScratchMemory();
            int rows = plan.Kernel switch { ResizeKernel.Linear => 2, ResizeKernel.Cubic => 4, ResizeKernel.AreaTable => 2, _ => 0 };
            Ring = rows == 0 ? null : memory.Alloc<int>((long)rows * stride);
            // Area with integer factors other than 2×2: the column sums of one block row.
            Columns = plan.Kernel == ResizeKernel.AreaFast ? memory.Alloc<int>(ScratchMemory.Stride<int>(plan.SrcWidth * channels)) : null;
            Tags = new int[4];
            Memory = memory;
        }

        /// <summary>Owns the ring's pinned buffer.</summary>
        public ScratchMemory Memory { get; }
        public int* Ring { get; }
        public int* Columns { get; }
        public int[] Tags { get; }
    }
}
