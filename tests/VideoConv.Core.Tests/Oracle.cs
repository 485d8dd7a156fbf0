using OpenCvSharp;
using VideoConv.Core.Borders;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>
/// OpenCV as the correctness oracle. <see cref="Filter2D"/> calls <c>Cv2.Filter2D</c> directly with its own
/// border handling; <see cref="Conv2d"/> covers what filter2D lacks (wrap, constant values, explicit padding,
/// stride, dilation, channel mixing) by padding with <c>Cv2.CopyMakeBorder</c>, dilating the kernel with
/// zeros, filtering, cropping and subsampling.
/// </summary>
internal static class Oracle
{
    public static Mat AsMat(Image img) => Mat.FromPixelData(img.Height, img.Width, MatType.CV_8UC(img.Channels), img.Pointer);

    public static Image FromMat(Mat mat)
    {
        var img = new Image(mat.Width, mat.Height, mat.Channels());
        using var view = AsMat(img);
        mat.CopyTo(view);
        return img;
    }

    public static BorderTypes ToCv(BorderMode mode) => mode switch
    {
        BorderMode.Constant => BorderTypes.Constant,
        BorderMode.Replicate => BorderTypes.Replicate,
        BorderMode.Reflect => BorderTypes.Reflect,
        BorderMode.Reflect101 => BorderTypes.Reflect101,
        BorderMode.Wrap => BorderTypes.Wrap,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private static Mat KernelMat(Kernel k, float scale, int dy = 1, int dx = 1)
    {
        var m = new Mat((k.Height - 1) * dy + 1, (k.Width - 1) * dx + 1, MatType.CV_32FC1, Scalar.All(0));
        for (int y = 0; y < k.Height; y++)
            for (int x = 0; x < k.Width; x++) m.Set(y * dy, x * dx, k[y, x] * scale);
        return m;
    }

    /// <summary>Plain <c>filter2D</c>: a linear filter, same padding, stride 1, border mode filter2D supports.</summary>
    public static Image Filter2D(Image src, FilterDefinition f)
    {
        using var s = AsMat(src);
        using var k = KernelMat(f.Kernels[0], f.Scale);
        using var d = new Mat();
        var anchor = f.Anchor is { } a ? new Point(a.X, a.Y) : new Point(-1, -1);
        Cv2.Filter2D(s, d, MatType.CV_8U, k, anchor, f.Bias, ToCv(f.EffectiveBorder));
        return FromMat(d);
    }

    /// <summary>The full conv2d contract through CopyMakeBorder + filter2D (float32 responses), for every mode.</summary>
    public static Image Conv2d(Image src, FilterDefinition f)
    {
        var g = new ConvolutionGeometry(f, src.Format);
        using var s = AsMat(src);
        using var padded = new Mat();
        Cv2.CopyMakeBorder(s, padded, g.PadTop, g.PadBottom + g.Stride.Y, g.PadLeft, g.PadRight + g.Stride.X,
            ToCv(g.Border), Scalar.All(f.BorderValue));
        var planes = Cv2.Split(padded);
        try
        {
            Mat Response(Kernel kernel, int plane)
            {
                using var km = KernelMat(kernel, f.Scale, g.Dilation.Y, g.Dilation.X);
                var r = new Mat();
                Cv2.Filter2D(planes[plane], r, MatType.CV_32F, km, new Point(0, 0), 0, BorderTypes.Constant);
                return r;
            }

            int outC = g.OutputChannels;
            var outPlanes = new Mat[outC];
            for (int c = 0; c < outC; c++)
            {
                Mat response;
                float bias = f.Bias;
                if (f.Mode == FilterMode.ChannelMix)
                {
                    response = new Mat(padded.Size(), MatType.CV_32FC1, Scalar.All(0));
                    for (int i = 0; i < f.Layer!.InChannels; i++)
                    {
                        using var r = Response(f.Layer.Weights[c][i], i);
                        Cv2.Add(response, r, response);
                    }
                    if (f.Layer.Bias.Count > 0) bias += f.Layer.Bias[c];
                }
                else if (f.Channels is { } sel && !sel.Contains(c))
                {
                    response = new Mat();
                    using var cropped = new Mat(planes[c], new Rect(g.PadLeft, g.PadTop, src.Width, src.Height));
                    cropped.ConvertTo(response, MatType.CV_32F);
                    bias = 0;
                }
                else if (f.Mode == FilterMode.GradientMagnitude)
                {
                    using var gx = Response(f.Kernels[0], c);
                    using var gy = Response(f.Kernels[1], c);
                    response = new Mat();
                    Cv2.Magnitude(gx, gy, response);
                }
                else
                {
                    int k = f.PerChannelKernels ? (f.Channels is { } s2 ? s2.ToList().IndexOf(c) : c) : 0;
                    response = Response(f.Kernels[k], c);
                }
                using (response)
                {
                    // Crop the valid window and take every stride-th sample.
                    using var sub = new Mat(g.OutputHeight, g.OutputWidth, MatType.CV_32FC1);
                    bool passThrough = f.Channels is { } sel2 && !sel2.Contains(c) && f.Mode != FilterMode.ChannelMix;
                    for (int y = 0; y < g.OutputHeight; y++)
                        for (int x = 0; x < g.OutputWidth; x++)
                            sub.Set(y, x, passThrough ? response.At<float>(y, x) : response.At<float>(y * g.Stride.Y, x * g.Stride.X));
                    outPlanes[c] = new Mat();
                    sub.ConvertTo(outPlanes[c], MatType.CV_8U, 1, bias);
                }
            }
            using var merged = new Mat();
            Cv2.Merge(outPlanes, merged);
            foreach (var p in outPlanes) p.Dispose();
            return FromMat(merged);
        }
        finally
        {
            foreach (var p in planes) p.Dispose();
        }
    }

    /// <summary>Runs the fast engine.</summary>
    public static Image Engine(Image src, FilterDefinition f, bool direct = false)
    {
        var worker = direct ? ConvolutionWorker.CreateDirect(f, src.Format) : ConvolutionEngine.Create(f, src.Format);
        var dst = new Image(worker.Output);
        worker.Apply(src, dst);
        return dst;
    }
}
