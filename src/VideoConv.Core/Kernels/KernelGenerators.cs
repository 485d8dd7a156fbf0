namespace VideoConv.Core.Kernels;

/// <summary>Parametric kernels of the filter library (<c>generator:</c> in a filter file).</summary>
public static class KernelGenerators
{
    /// <summary>OpenCV's <c>getGaussianKernel</c>: a normalised 1-D Gaussian; sigma ≤ 0 derives it from the size as OpenCV does.</summary>
    public static float[] Gaussian1D(int size, double sigma)
    {
        if (size < 1 || size > Kernel.MaxSide) throw new FilterDefinitionException($"gaussian size must be 1..{Kernel.MaxSide}, got {size}");
        if (!double.IsFinite(sigma)) throw new FilterDefinitionException($"gaussian sigma must be a finite number, got {sigma}");
        if (sigma <= 0) sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8;
        var w = new double[size];
        double sum = 0, c = (size - 1) * 0.5;
        for (int i = 0; i < size; i++) sum += w[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        return w.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>A size × size Gaussian, separable by construction.</summary>
    public static Kernel Gaussian(int size, double sigma)
    {
        var g = Gaussian1D(size, sigma);
        return Kernel.Outer(g, g);
    }

    /// <summary>A size × size mean filter (normalised box).</summary>
    public static Kernel Box(int size, bool normalize = true)
    {
        if (size < 1 || size > Kernel.MaxSide) throw new FilterDefinitionException($"box size must be 1..{Kernel.MaxSide}, got {size}");
        var v = Enumerable.Repeat(normalize ? 1f / size : 1f, size).ToArray();
        return Kernel.Outer(v, v);
    }

    /// <summary>Unsharp mask as one kernel: (1 + amount)·identity − amount·Gaussian(size, sigma).</summary>
    public static Kernel Unsharp(double amount, int size, double sigma)
    {
        if (!double.IsFinite(amount)) throw new FilterDefinitionException($"unsharp amount must be a finite number, got {amount}");
        if (size % 2 == 0) throw new FilterDefinitionException($"unsharp size must be odd, got {size}");
        var g = Gaussian(size, sigma);
        var w = new float[size * size];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(-amount * g.Weights[i]);
        w[size * size / 2] += (float)(1 + amount);
        return new Kernel(size, size, w);
    }
}
