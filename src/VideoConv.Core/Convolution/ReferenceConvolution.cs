using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Convolution;

/// <summary>
/// The in-project reference: the conv2d definition written out as plain loops in double precision, with
/// no tables, tiles or vectors. Slow on purpose; the fast engine is tested against it and against OpenCV.
/// </summary>
public static class ReferenceConvolution
{
    /// <summary>Applies <paramref name="filter"/> to <paramref name="src"/> and returns a new image.</summary>
    public static Image Apply(FilterDefinition filter, Image src)
    {
        var g = new ConvolutionGeometry(filter, src.Format);
        var dst = new Image(g.Output);
        int C = src.Channels;
        var selected = new bool[C];
        for (int c = 0; c < C; c++) selected[c] = filter.Channels?.Contains(c) ?? true;

        for (int oy = 0; oy < g.OutputHeight; oy++)
        for (int ox = 0; ox < g.OutputWidth; ox++)
        {
            switch (filter.Mode)
            {
                case FilterMode.ChannelMix:
                    var layer = filter.Layer!;
                    for (int o = 0; o < layer.OutChannels; o++)
                    {
                        double sum = 0;
                        for (int i = 0; i < layer.InChannels; i++)
                            sum += Correlate(layer.Weights[o][i], filter, g, src, oy, ox, i);
                        double b = layer.Bias.Count > 0 ? layer.Bias[o] : 0;
                        dst.At(oy, ox, o) = Saturate.ToByte(sum * filter.Scale + b + filter.Bias);
                    }
                    break;
                default:
                    int k = 0;
                    for (int c = 0; c < C; c++)
                    {
                        if (!selected[c])
                        {
                            dst.At(oy, ox, c) = src.At(oy, ox, c); // selection implies stride 1, same padding
                            continue;
                        }
                        double value;
                        if (filter.Mode == FilterMode.GradientMagnitude)
                        {
                            double gx = Correlate(filter.Kernels[0], filter, g, src, oy, ox, c) * filter.Scale;
                            double gy = Correlate(filter.Kernels[1], filter, g, src, oy, ox, c) * filter.Scale;
                            value = Math.Sqrt(gx * gx + gy * gy);
                        }
                        else
                        {
                            var kernel = filter.PerChannelKernels ? filter.Kernels[k] : filter.Kernels[0];
                            value = Correlate(kernel, filter, g, src, oy, ox, c) * filter.Scale;
                        }
                        k++;
                        dst.At(oy, ox, c) = Saturate.ToByte(value + filter.Bias);
                    }
                    break;
            }
        }
        return dst;
    }

    private static double Correlate(Kernel kernel, FilterDefinition filter, ConvolutionGeometry g, Image src, int oy, int ox, int c)
    {
        double sum = 0;
        for (int ky = 0; ky < kernel.Height; ky++)
        {
            int sy = Borders.BorderIndex.Map(oy * g.Stride.Y - g.PadTop + ky * g.Dilation.Y, src.Height, g.Border);
            for (int kx = 0; kx < kernel.Width; kx++)
            {
                int sx = Borders.BorderIndex.Map(ox * g.Stride.X - g.PadLeft + kx * g.Dilation.X, src.Width, g.Border);
                double p = sy < 0 || sx < 0 ? filter.BorderValue : src.At(sy, sx, c);
                sum += kernel[ky, kx] * p;
            }
        }
        return sum;
    }
}
