using VideoConv.Core.Borders;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The float path's two-rows-at-a-time pass (direct kernels of 3 rows and more): exact where the maths is exact, and Dot's bits where it is not.</summary>
public class RowPairTests
{
    [Theory]
    [InlineData(3, 3, 37)]
    [InlineData(3, 5, 2)]
    [InlineData(5, 5, 37)]
    [InlineData(7, 7, 37)]
    [InlineData(7, 3, 8)]
    [InlineData(5, 5, 1)]
    public void Apply_DirectFloatKernel_EqualsFilter2DOnEveryBorder(int kh, int kw, int height)
    {
        // Weights v/256 with |v| up to 1000: exact in float32, but sums too large for the 16-bit paths.
        var rng = new Random(kh * 31 + kw);
        var kernel = new Kernel(kh, kw, [.. Enumerable.Range(0, kh * kw).Select(_ => rng.Next(-1000, 1001) / 256f)]);
        var src = TestImages.Random(1283, height, 3, kh + height); // odd row counts leave a last row alone; a ragged tail of columns
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Replicate, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(kernel) with { Border = border, BorderValue = 77, Bias = 3 };
            var path = ConvolutionEngine.Create(f, src.Format).Path;
            Assert.Contains("direct", path);
            Assert.DoesNotContain("fixed16", path);
            var expected = Oracle.Conv2d(src, f);
            var actual = Oracle.Engine(src, f);
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kh}x{kw} {border}: {TestImages.FirstDifference(expected, actual)}");
        }
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(3, 7)]
    [InlineData(5, 5)]
    [InlineData(7, 7)]
    public void Apply_ArbitraryFloatWeights_GivesTheOneRowPathsBits(int kh, int kw)
    {
        // Random float weights (sums round in float32, so only the same operations in the same order give the same
        // bytes), some zero, a fractional bias, an odd height and a ragged tail of columns.
        var rng = new Random(kh * 7 + kw);
        var kernel = new Kernel(kh, kw, [.. Enumerable.Range(0, kh * kw).Select(i => i % 4 == 1 ? 0f : (float)(rng.NextDouble() * 2 - 1) / kw)]);
        var src = TestImages.Random(1291, 41, 3, kh * kw); // 3873 samples a row: 80 steps of 48, one of 32, one alone
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(kernel) with { Border = border, BorderValue = 200, Bias = 0.37f };
            var pairs = ConvolutionEngine.Create(f, src.Format);
            Assert.Contains("flat direct", pairs.Path);
            var oneRow = ConvolutionWorker.CreateOneRowAtATime(f, src.Format);
            Image expected = new(oneRow.Output), actual = new(pairs.Output);
            oneRow.Apply(src, expected);
            pairs.Apply(src, actual);
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kh}x{kw} {border}: {TestImages.FirstDifference(expected, actual)}");
        }
    }
}
