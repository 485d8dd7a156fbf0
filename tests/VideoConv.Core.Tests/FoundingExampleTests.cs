using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The project's founding example; expected values computed independently from PyTorch's conv2d definition (zero padding, correlation).</summary>
public class FoundingExampleTests
{
    private static readonly int[][] Input =
    [
        [1, 2, 0, 3, 1],
        [0, 1, 2, 3, 1],
        [1, 2, 1, 0, 0],
        [5, 2, 3, 1, 1],
        [2, 1, 0, 1, 1],
    ];

    private static readonly Kernel K = Kernel.FromArray(new float[,] { { 1, 2, 1 }, { 0, 1, 0 }, { 2, 1, 0 } });

    private static int[][] Run(Padding padding, int stride, bool fast)
    {
        var filter = FilterDefinition.FromKernel(K) with { Padding = padding, Stride = Pair.Of(stride) };
        var src = TestImages.FromRows(Input);
        if (!fast) return TestImages.ToRows(ReferenceConvolution.Apply(filter, src));
        var worker = ConvolutionEngine.Create(filter, src.Format);
        var dst = new Imaging.Image(worker.Output);
        worker.Apply(src, dst);
        return TestImages.ToRows(dst);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2d_Stride1Padding0_Matches3x3Golden(bool fast)
    {
        int[][] expected = [[10, 12, 12], [18, 16, 16], [13, 9, 3]];
        Assert.Equal(expected, Run(Padding.Valid, 1, fast));
        Assert.Equal(10, expected[0][0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2d_Stride2Padding0_Matches2x2Golden(bool fast)
    {
        int[][] expected = [[10, 12], [13, 3]];
        Assert.Equal(expected, Run(Padding.Valid, 2, fast));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2d_Stride1Padding1_ZeroPadsLikePyTorch(bool fast)
    {
        int[][] expected =
        [
            [ 1,  3,  4, 10,  8],
            [ 5, 10, 12, 12,  6],
            [ 7, 18, 16, 16,  8],
            [11, 13,  9,  3,  4],
            [14, 13,  9,  7,  4],
        ];
        Assert.Equal(expected, Run(Padding.Of(1), 1, fast));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2d_Stride2Padding1_Matches3x3Golden(bool fast)
    {
        int[][] expected = [[1, 4, 8], [7, 16, 8], [14, 9, 4]];
        Assert.Equal(expected, Run(Padding.Of(1), 2, fast));
    }
}
