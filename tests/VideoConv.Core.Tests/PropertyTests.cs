using CsCheck;
using VideoConv.Core.Borders;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>Generated shapes, borders, strides and kernels: the fast engine equals the reference definition.</summary>
public class PropertyTests
{
    private static readonly Gen<(FilterDefinition Filter, Image Src)> Cases =
        from kh in Gen.Int[1, 6]
        from kw in Gen.Int[1, 6]
        from weights in Gen.Int[-5, 5].Array[kh * kw]
        from border in Gen.Enum<BorderMode>()
        from paddingKind in Gen.Int[0, 2]
        from py in Gen.Int[0, 3]
        from px in Gen.Int[0, 3]
        from sy in Gen.Int[1, 3]
        from sx in Gen.Int[1, 3]
        from dy in Gen.Int[1, 3]
        from dx in Gen.Int[1, 3]
        from channels in Gen.Int[0, 2].Select(i => new[] { 1, 3, 4 }[i])
        from width in Gen.Int[1, 40]
        from height in Gen.Int[1, 40]
        from seed in Gen.Int
        from bias in Gen.Int[-20, 20]
        let padding = paddingKind switch { 0 => Padding.Same, 1 => Padding.Valid, _ => Padding.Of(py, px) }
        let filter = FilterDefinition.FromKernel(new Kernel(kh, kw, weights.Select(w => (float)w).ToArray())) with
        {
            Border = border, BorderValue = 31, Padding = padding, Stride = new Pair(sy, sx), Dilation = new Pair(dy, dx), Bias = bias,
        }
        where padding.Kind == PaddingKind.Same
              || (height + 2 * padding.Amount.Y >= (kh - 1) * dy + 1 && width + 2 * padding.Amount.X >= (kw - 1) * dx + 1)
        select (filter, TestImages.Random(width, height, channels, seed));

    [Fact]
    public void Apply_GeneratedGeometry_EqualsReference()
    {
        Cases.Sample(c =>
        {
            var expected = ReferenceConvolution.Apply(c.Filter, c.Src);
            var actual = Oracle.Engine(c.Src, c.Filter);
            return TestImages.MaxDifference(expected, actual) == 0;
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void OutputSize_GeneratedGeometry_FollowsPyTorchFormula()
    {
        Cases.Sample(c =>
        {
            var g = new ConvolutionGeometry(c.Filter, c.Src.Format);
            var (kh, kw) = c.Filter.KernelSize;
            int padY = g.PadTop + g.PadBottom, padX = g.PadLeft + g.PadRight;
            return g.OutputHeight == (c.Src.Height + padY - c.Filter.Dilation.Y * (kh - 1) - 1) / c.Filter.Stride.Y + 1
                && g.OutputWidth == (c.Src.Width + padX - c.Filter.Dilation.X * (kw - 1) - 1) / c.Filter.Stride.X + 1
                && (c.Filter.Padding.Kind != PaddingKind.Same || c.Filter.Stride != Pair.Of(1) || g.Output == c.Src.Format);
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }
}
