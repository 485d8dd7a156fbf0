namespace VideoConv.Core.Kernels;

/// <summary>Parametric kernels of the filter library (<c>generator:</c> in a filter file).</summary>
public static class KernelGenerators
{
    // OpenCV's tabulated kernels for odd sizes up to 7 when sigma is not given (getGaussianKernel's small_gaussian_tab).
    private static readonly float[][] SmallGaussian =
    [
        [1f],
        [0.25f, 0.5f, 0.25f],
        [0.0625f, 0.25f, 0.375f, 0.25f, 0.0625f],
        [0.03125f, 0.109375f, 0.21875f, 0.28125f, 0.21875f, 0.109375f, 0.03125f],
    ];

    /// <summary>OpenCV's <c>getGaussianKernel</c>: a normalised 1-D Gaussian; sigma ≤ 0 takes OpenCV's table (odd sizes ≤ 7) or derives sigma from the size as OpenCV does.</summary>
    public static float[] Gaussian1D(int size, double sigma)
    {
        if (size < 1 || size > Kernel.MaxSide) throw new FilterDefinitionException($"gaussian size must be 1..{Kernel.MaxSide}, got {size}");
        if (!double.IsFinite(sigma)) throw new FilterDefinitionException($"gaussian sigma must be a finite number, got {sigma}");
        if (sigma <= 0 && size % 2 == 1 && size <= 7) return SmallGaussian[size / 2].ToArray();
        if (sigma <= 0) sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8;
        var w = new double[size];
        double sum = 0, c = (size - 1) * 0.5;
        for (int i = 0; i < size; i++) sum += w[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        return w.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>
    /// <see cref="Gaussian1D"/> in 8-bit fixed point: weights k/256 summing to exactly 1, as OpenCV's bit-exact
    /// <c>GaussianBlur</c> uses for 8-bit frames. The kernel is then exactly representable, so results are
    /// exact (bit-equal to filter2D with this kernel) and the engine can run it in integers.
    /// </summary>
    public static float[] GaussianFixedPoint1D(int size, double sigma)
    {
        var g = Gaussian1D(size, sigma);
        var q = g.Select(v => (int)Math.Round(v * 256, MidpointRounding.ToEven)).ToArray();
        q[size / 2] += 256 - q.Sum(); // the rounding error goes to the centre tap, keeping the kernel symmetric
        return q.Select(v => v / 256f).ToArray();
    }

    /// <summary>A size × size Gaussian (8-bit fixed-point weights), separable by construction.</summary>
    public static Kernel Gaussian(int size, double sigma)
    {
        var g = GaussianFixedPoint1D(size, sigma);
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
