using CsCheck;
using VideoConv.Core.Borders;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The 16-bit integer path for dyadic kernels (two passes or one): chosen only when its sums provably fit, and then bit-equal to the reference.</summary>
public class FixedPointTests
{
    /// <summary>Everything about a generated case but its kernel: border, padding, dilation, frame.</summary>
    private sealed record Setting(BorderMode Border, int BorderValue, Padding Padding, Pair Dilation, int Channels, int Width, int Height, int Seed)
    {
        public bool Fits(int kh, int kw) => Padding.Kind == PaddingKind.Same
            || (Height + 2 * Padding.Amount.Y >= (kh - 1) * Dilation.Y + 1 && Width + 2 * Padding.Amount.X >= (kw - 1) * Dilation.X + 1);

        public (FilterDefinition Filter, Image Src) With(Kernel kernel, float bias) =>
            (FilterDefinition.FromKernel(kernel) with { Border = Border, BorderValue = BorderValue, Padding = Padding, Dilation = Dilation, Bias = bias },
             TestImages.Random(Width, Height, Channels, Seed));
    }

    private static readonly Gen<Setting> Settings =
        from border in Gen.Enum<BorderMode>()
        from borderValue in Gen.Int[0, 255]
        from paddingKind in Gen.Int[0, 2]
        from pad in Gen.Int[0, 3]
        from dy in Gen.Int[1, 2]
        from dx in Gen.Int[1, 2]
        from channels in Gen.Int[0, 2].Select(i => new[] { 1, 3, 4 }[i])
        from width in Gen.Int[1, 70]
        from height in Gen.Int[1, 30]
        from seed in Gen.Int
        select new Setting(border, borderValue, paddingKind switch { 0 => Padding.Same, 1 => Padding.Valid, _ => Padding.Of(pad) },
            new Pair(dy, dx), channels, width, height, seed);

    private static readonly Gen<(FilterDefinition Filter, Image Src)> Cases =
        from kh in Gen.Int[1, 7]
        from kw in Gen.Int[1, 7]
        from signed in Gen.Bool
        from column in (signed ? Gen.Int[-4, 4] : Gen.Int[0, 9]).Array[kh]
        from row in (signed ? Gen.Int[-4, 4] : Gen.Int[0, 9]).Array[kw]
        from symmetric in Gen.Int[0, 3] // 1: column, 2: row, 3: both symmetric (folded taps, FoldedTerm)
        from columnBits in Gen.Int[0, 7]
        from rowBits in Gen.Int[0, 7]
        from biasUnits in Gen.Int[-300, 300]
        from setting in Settings
        let c = (symmetric & 1) != 0 ? column.Select((v, i) => column[Math.Min(i, kh - 1 - i)]).ToArray() : column
        let r = (symmetric & 2) != 0 ? row.Select((v, i) => row[Math.Min(i, kw - 1 - i)]).ToArray() : row
        where c.Any(v => v != 0) && r.Any(v => v != 0) && setting.Fits(kh, kw)
        select setting.With(Kernel.Outer(c.Select(v => v / MathF.Pow(2, columnBits)).ToArray(), r.Select(v => v / MathF.Pow(2, rowBits)).ToArray()),
            biasUnits / 16f);

    [Fact]
    public void Apply_GeneratedDyadicSeparableKernels_EqualReference() =>
        AssertEqualsReferenceMostlyOnPath(Cases, "separable fixed16", "3fZ0r8xN2hK1");

    // Every generated case equals the reference; the generators are built so that most take the path under
    // test, and this checks they really did.
    private static void AssertEqualsReferenceMostlyOnPath(Gen<(FilterDefinition Filter, Image Src)> cases, string path, string seed)
    {
        int onPath = 0, total = 0;
        cases.Sample(c =>
        {
            var worker = ConvolutionEngine.Create(c.Filter, c.Src.Format);
            total++;
            if (worker.Path.Contains(path)) onPath++;
            var actual = new Image(worker.Output);
            worker.Apply(c.Src, actual);
            return TestImages.MaxDifference(ReferenceConvolution.Apply(c.Filter, c.Src), actual) == 0;
        }, iter: 600, threads: 1, seed: seed);
        Assert.True(onPath > total / 2, $"only {onPath} of {total} generated cases took the '{path}' path");
    }

    private static readonly Gen<(FilterDefinition Filter, Image Src)> DirectCases =
        from kh in Gen.Int[2, 5]
        from kw in Gen.Int[2, 5]
        from weights in Gen.Int[-6, 6].Array[kh * kw]
        from bits in Gen.Int[0, 6]
        from biasUnits in Gen.Int[-300, 300]
        from setting in Settings
        where weights.Any(v => v != 0) && setting.Fits(kh, kw)
        select setting.With(new Kernel(kh, kw, weights.Select(v => v / MathF.Pow(2, bits)).ToArray()), biasUnits / 8f);

    [Fact]
    public void Apply_GeneratedDyadicDirectKernels_EqualReference() =>
        AssertEqualsReferenceMostlyOnPath(DirectCases, "direct fixed16", "7aQ1r2xN9hK4");

    [Theory]
    [InlineData("sharpen", new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 })]
    [InlineData("laplacian", new float[] { 1, 1, 1, 1, -8, 1, 1, 1, 1 })]
    [InlineData("emboss", new float[] { -2, -1, 0, -1, 1, 1, 0, 1, 2 })]
    public void Apply_IntegerLibraryKernels_TakeDirectFixedPathAndEqualFilter2D(string name, float[] weights)
    {
        var src = TestImages.Random(1283, 47, 3, name.Length);
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Replicate, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(new Kernel(3, 3, weights), name) with { Border = border, BorderValue = 17 };
            Assert.Contains("direct fixed16", ConvolutionEngine.Create(f, src.Format).Path);
            var actual = Oracle.Engine(src, f);
            Assert.True(TestImages.MaxDifference(Oracle.Conv2d(src, f), actual) == 0, $"{name} {border}: {TestImages.FirstDifference(Oracle.Conv2d(src, f), actual)}");
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Gaussian_OpenCvTable_TakesFixedPathAndEqualsFilter2DOnEveryBorder(int size)
    {
        var src = TestImages.Random(1283, 61, 3, size); // wider than one 32-sample vector step, with a ragged tail
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Reflect, BorderMode.Replicate, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(KernelGenerators.Gaussian(size, 0)) with { Border = border, BorderValue = 200 };
            Assert.Contains("fixed16", ConvolutionEngine.Create(f, src.Format).Path);
            var actual = Oracle.Engine(src, f);
            Assert.True(TestImages.MaxDifference(Oracle.Conv2d(src, f), actual) == 0, $"{border}: {TestImages.FirstDifference(Oracle.Conv2d(src, f), actual)}");
        }
    }

    [Theory]
    [InlineData(5, 1.2)]
    [InlineData(3, 1.5)]
    [InlineData(7, 2.0)]
    [InlineData(9, 1.7)]
    public void Gaussian_WiderThan16Bits_TakesWidePathAndEqualsFilter2DOnEveryBorder(int size, double sigma)
    {
        // k/256 weights: 16-bit horizontal sums, 2-D sums up to 255·2^16, run with 32-bit vertical sums.
        var src = TestImages.Random(1283, 37, 3, size); // wider than one 32-sample step, with 16-sample and scalar tails
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Reflect, BorderMode.Replicate, BorderMode.Constant, BorderMode.Wrap })
        {
            var f = FilterDefinition.FromKernel(KernelGenerators.Gaussian(size, sigma)) with { Border = border, BorderValue = 200 };
            Assert.Contains("separable fixed16x32", ConvolutionEngine.Create(f, src.Format).Path);
            var actual = Oracle.Engine(src, f);
            var expected = border == BorderMode.Wrap || size > 7 ? ReferenceConvolution.Apply(f, src) : Oracle.Conv2d(src, f); // filter2D goes through the DFT from 9×9 on
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{border}: {TestImages.FirstDifference(expected, actual)}");
        }
    }

    // Dyadic rank-one kernels whose 2-D sums overflow 16 bits but whose row weights fit a signed byte.
    private static readonly Gen<(FilterDefinition Filter, Image Src)> WideCases =
        from kh in Gen.Int[1, 7]
        from kw in Gen.Int[1, 7]
        from signed in Gen.Bool
        from column in (signed ? Gen.Int[-200, 200] : Gen.Int[0, 300]).Array[kh]
        from row in (signed ? Gen.Int[-40, 40] : Gen.Int[0, 60]).Array[kw]
        from symmetric in Gen.Bool
        from columnBits in Gen.Int[0, 8]
        from rowBits in Gen.Int[0, 7] // at most 15 bits in all, or the kernel is not dyadic enough for integer paths
        from biasUnits in Gen.Int[-3000, 3000]
        from setting in Settings
        let c = symmetric ? column.Select((v, i) => column[Math.Min(i, kh - 1 - i)]).ToArray() : column
        let r = symmetric ? row.Select((v, i) => row[Math.Min(i, kw - 1 - i)]).ToArray() : row
        where c.Any(v => v != 0) && r.Any(v => v != 0) && setting.Fits(kh, kw)
        select setting.With(Kernel.Outer(c.Select(v => v / MathF.Pow(2, columnBits)).ToArray(), r.Select(v => v / MathF.Pow(2, rowBits)).ToArray()),
            biasUnits / 16f);

    [Fact]
    public void Apply_GeneratedWideSeparableKernels_EqualReference() =>
        AssertEqualsReferenceMostlyOnPath(WideCases, "fixed16x32", "9kT2w4xQ1mZ7");

    [Theory]
    [InlineData("sobel", 0f)]
    [InlineData("sobel", 0.5f)]
    [InlineData("prewitt", -3.25f)]
    [InlineData("sobel 5x5", 0f)]
    public void Magnitude_IntegerKernels_TakeFixedPathAndEqualFloatPathBitForBit(string kind, float bias)
    {
        var (gx, gy) = kind switch
        {
            "sobel" => (Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })),
            "prewitt" => (Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -1, 0, 1 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -1, -1 }, { 0, 0, 0 }, { 1, 1, 1 } })),
            _ => (Kernel.Outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1]), Kernel.Outer([-1, -2, 0, 2, 1], [1, 4, 6, 4, 1])),
        };
        var white = TestImages.FromRows([.. Enumerable.Range(0, 9).Select(y => Enumerable.Range(0, 70).Select(x => (x + y) % 5 < 2 ? 255 : 0).ToArray())]);
        foreach (var src in new[] { TestImages.Random(1283, 23, 3, kind.Length), TestImages.Random(45, 11, 1, 2), white })
            foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Replicate, BorderMode.Constant, BorderMode.Wrap })
            {
                var f = new FilterDefinition
                {
                    Mode = FilterMode.GradientMagnitude, Kernels = [gx, gy], Bias = bias, Border = border, BorderValue = 90,
                };
                Assert.Contains("magnitude fixed16", ConvolutionEngine.Create(f, src.Format).Path);
                var floatPath = ConvolutionWorker.Create(f, src.Format);
                var expected = new Image(floatPath.Output);
                floatPath.Apply(src, expected);
                var actual = Oracle.Engine(src, f);
                Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kind} {border} {src.Format}: {TestImages.FirstDifference(expected, actual)}");
                Assert.True(TestImages.MaxDifference(ReferenceConvolution.Apply(f, src), actual) == 0, $"{kind} {border} {src.Format} (reference)");
            }
    }

    [Fact]
    public void Apply_ExtremeSums_StayExact()
    {
        // All-255 frames drive the unsigned sums to their bound (255·256 = 65280 for [1 4 6 4 1]²/256), and a
        // signed kernel to its most negative and positive sums.
        var white = TestImages.FromRows([.. Enumerable.Range(0, 9).Select(_ => Enumerable.Repeat(255, 40).ToArray())]);
        var stripes = TestImages.FromRows([.. Enumerable.Range(0, 9).Select(_ => Enumerable.Range(0, 40).Select(x => x % 4 < 2 ? 255 : 0).ToArray())]);
        var filters = new[]
        {
            FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0)),
            FilterDefinition.FromKernel(Kernel.Outer([1, 2, 1], [-1, 0, 1])) with { Scale = 0.5f, Bias = 128 },
            FilterDefinition.FromKernel(Kernel.Outer([1, 2, 1], [1, 2, 1])) with { Scale = 1 / 16f, Bias = 100.5f },
            FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),                                        // wide, unsigned
            FilterDefinition.FromKernel(Kernel.Outer([-90, 200, -90], [-40, 0, 40])) with { Scale = 1 / 1024f, Bias = 128 }, // wide, signed
        };
        foreach (var f in filters)
            foreach (var src in new[] { white, stripes })
            {
                Assert.Contains("fixed16", ConvolutionEngine.Create(f, src.Format).Path);
                var actual = Oracle.Engine(src, f);
                var expected = ReferenceConvolution.Apply(f, src);
                Assert.True(TestImages.MaxDifference(expected, actual) == 0, TestImages.FirstDifference(expected, actual));
            }
    }

    [Fact]
    public void Apply_HalfwayValues_RoundHalfToEven()
    {
        // [1 1]/2 over 0,1,2,…: every output is k + 0.5, which saturate_cast (and filter2D) round to the even neighbour.
        var src = TestImages.FromRows([Enumerable.Range(0, 64).ToArray()]);
        var f = FilterDefinition.FromKernel(new Kernel(1, 2, [0.5f, 0.5f])) with { Padding = Padding.Valid };
        Assert.Contains("fixed16", ConvolutionEngine.Create(f, src.Format).Path);
        var actual = TestImages.ToRows(Oracle.Engine(src, f))[0];
        Assert.Equal(Enumerable.Range(0, 63).Select(k => (int)Math.Round(k + 0.5, MidpointRounding.ToEven)), actual);
    }

    [Theory]
    [InlineData("row weights beyond a byte: 2-D sums over 16 bits and no pmaddubsw pairs")]
    [InlineData("box 3x3: 1/3 is not dyadic")]
    [InlineData("stride 2")]
    [InlineData("scaled magnitude: scale 1/8 makes the weights fractional")]
    public void Create_KernelOutside16Bits_TakesFloatPath(string what)
    {
        var f = what.Split(':')[0] switch
        {
            "row weights beyond a byte" => FilterDefinition.FromKernel(Kernel.Outer([1, 300, 1], [1, 200, 1])) with { Scale = 1 / 65536f },
            "box 3x3" => FilterDefinition.FromKernel(KernelGenerators.Box(3)),
            "stride 2" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(3, 0)) with { Stride = Pair.Of(2), Padding = Padding.Of(1) },
            _ => new FilterDefinition
            {
                Mode = FilterMode.GradientMagnitude, Scale = 0.125f,
                Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
            },
        };
        Assert.DoesNotContain("fixed16", ConvolutionEngine.Create(f, new ImageFormat(64, 32, 3)).Path);
    }
}
