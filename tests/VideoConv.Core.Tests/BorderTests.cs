using OpenCvSharp;
using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

public class BorderTests
{
    [Theory]
    [InlineData(BorderMode.Replicate)]
    [InlineData(BorderMode.Reflect)]
    [InlineData(BorderMode.Reflect101)]
    [InlineData(BorderMode.Wrap)]
    [InlineData(BorderMode.Constant)]
    public void Map_AnyPositionAndLength_EqualsOpenCvBorderInterpolate(BorderMode mode)
    {
        for (int length = 1; length <= 7; length++)
            for (int p = -3 * length - 5; p < 4 * length + 5; p++)
                Assert.True(Cv2.BorderInterpolate(p, length, Oracle.ToCv(mode)) == BorderIndex.Map(p, length, mode), $"p={p} length={length}");
    }

    [Theory]
    [InlineData(BorderMode.Reflect101, 1, 1)]
    [InlineData(BorderMode.Reflect, 2, 1)]
    [InlineData(BorderMode.Wrap, 1, 2)]
    [InlineData(BorderMode.Replicate, 3, 2)]
    [InlineData(BorderMode.Constant, 2, 2)]
    public void Apply_ImageSmallerThanKernel_EqualsOpenCv(BorderMode mode, int width, int height)
    {
        var src = TestImages.Random(width, height, 3, width * 7 + height);
        var k = OracleTests.RandomKernel(new Random(9), 7, 7, integer: true);
        var f = FilterDefinition.FromKernel(k) with { Border = mode, BorderValue = 77 };
        var expected = Oracle.Conv2d(src, f);
        var actual = Oracle.Engine(src, f);
        Assert.True(TestImages.MaxDifference(expected, actual) == 0, TestImages.FirstDifference(expected, actual));
        if (mode != BorderMode.Constant && mode != BorderMode.Wrap)
        {
            var direct = Oracle.Filter2D(src, f);
            Assert.True(TestImages.MaxDifference(direct, actual) == 0, "filter2D: " + TestImages.FirstDifference(direct, actual));
        }
    }

    [Fact]
    public void Apply_ConstantBorderWithValue_PadsWithThatValue()
    {
        var src = TestImages.FromRows([[10]]);
        var f = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 } }))
            with { Border = BorderMode.Constant, BorderValue = 5 };
        var dst = Oracle.Engine(src, f);
        Assert.Equal(10 + 8 * 5, dst.Data[0]);
    }
}
