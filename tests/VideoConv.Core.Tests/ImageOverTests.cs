using System.Runtime.InteropServices;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary><see cref="Image.Over"/>: the engine filtering memory it does not own (a decoder's plane) exactly as its own images.</summary>
public sealed unsafe class ImageOverTests
{
    private static readonly FilterDefinition Sharpen = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } }), "sharpen");
    private static readonly FilterDefinition Blur = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 1, 2, 1 }, { 2, 4, 2 }, { 1, 2, 1 } }), "blur") with { Scale = 1f / 16 };

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(159, 89)]
    public void Apply_OverNativePlanes_SameBytesAsOverManagedImages(int width, int height)
    {
        var src = TestImages.Random(width, height, 1, 7);
        foreach (var chain in new[] { [], new[] { Sharpen }, new[] { Blur, Sharpen } }) // the empty chain: a copy
        {
            var filter = new FilterChain(chain, src.Format);
            var expected = new Image(filter.Output);
            filter.Apply(src, expected);

            nuint bytes = (nuint)src.Format.TotalBytes;
            byte* input = (byte*)NativeMemory.AlignedAlloc(bytes, 64), output = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
            try
            {
                src.Data.AsSpan().CopyTo(new Span<byte>(input, (int)bytes));
                var inView = Image.Over(src.Format, (nint)input);
                var outView = Image.Over(src.Format, (nint)output);
                Assert.True(inView.IsExternal && inView.Data.Length == 0 && inView.Pointer == (nint)input);
                filter.Apply(inView, outView);
                Assert.True(new Span<byte>(output, (int)bytes).SequenceEqual(expected.Data), $"{chain.Length} step(s) on {src.Format}: native planes filtered differently");
            }
            finally
            {
                NativeMemory.AlignedFree(input);
                NativeMemory.AlignedFree(output);
            }
        }
    }

    [Fact]
    public void Over_NullPointer_IsRefused() =>
        Assert.Throws<ArgumentNullException>(() => Image.Over(new ImageFormat(4, 4, 1), IntPtr.Zero));
}
