using VideoConv.Core.Borders;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Filters;

/// <summary>A (y, x) pair of integers: stride, dilation, anchor or padding.</summary>
public readonly record struct Pair(int Y, int X)
{
    public static Pair Of(int both) => new(both, both);
    public override string ToString() => Y == X ? Y.ToString() : $"[{Y}, {X}]";
}

/// <summary>How much border is added around the input before the kernel slides over it.</summary>
public enum PaddingKind
{
    /// <summary>Pad by the kernel's anchor so that, with stride 1, the output has the input's size (OpenCV filter2D).</summary>
    Same,
    /// <summary>No padding (PyTorch <c>padding=0</c> / <c>'valid'</c>).</summary>
    Valid,
    /// <summary>An explicit amount on each side (PyTorch <c>padding=(y, x)</c>).</summary>
    Explicit,
}

/// <summary>Padding: <c>same</c>, <c>valid</c>, or explicit (y, x) amounts added on both sides.</summary>
public readonly record struct Padding(PaddingKind Kind, Pair Amount)
{
    public static Padding Same => new(PaddingKind.Same, default);
    public static Padding Valid => new(PaddingKind.Valid, default);
    public static Padding Of(int y, int x) => new(PaddingKind.Explicit, new Pair(y, x));
    public static Padding Of(int both) => Of(both, both);

    public override string ToString() => Kind switch
    {
        PaddingKind.Same => "same",
        PaddingKind.Valid => "valid",
        _ => Amount.ToString(),
    };
}

/// <summary>How a filter's output is formed from its kernel responses.</summary>
public enum FilterMode
{
    /// <summary>One kernel response per channel (or per selected channel).</summary>
    Linear,
    /// <summary><c>sqrt(gx² + gy²)</c> of two kernel responses per channel (Sobel, Scharr, Prewitt).</summary>
    GradientMagnitude,
    /// <summary>A conv2d layer mixing channels: weights [out][in][kh][kw] plus bias[out].</summary>
    ChannelMix,
    /// <summary>Not a convolution: the frame resampled to another size (<see cref="FilterDefinition.Resize"/>), as OpenCV's <c>cv::resize</c>.</summary>
    Resize,
    /// <summary>Not a convolution: a rectangle of the frame (<see cref="FilterDefinition.Crop"/>), as OpenCV's <c>Mat(roi)</c>.</summary>
    Crop,
}

/// <summary>
/// A conv2d layer mixing channels, as PyTorch's <c>nn.Conv2d</c>: <c>Weights[o][i]</c> is the kernel
/// from input channel i to output channel o; <c>Bias[o]</c> is added to output channel o.
/// </summary>
public sealed record ConvLayer(IReadOnlyList<IReadOnlyList<Kernel>> Weights, IReadOnlyList<float> Bias)
{
    public int OutChannels => Weights.Count;
    public int InChannels => Weights.Count == 0 ? 0 : Weights[0].Count;
}

/// <summary>
/// What a filter is — kernel(s), how channels are treated, border, padding, stride, dilation, scale and
/// bias — with no frame size attached. This is what a filter YAML file deserialises to; the engine builds
/// a worker from it for one frame format.
/// </summary>
public sealed record FilterDefinition
{
    public string Name { get; init; } = "inline";
    public string Description { get; init; } = "";
    public FilterMode Mode { get; init; } = FilterMode.Linear;

    /// <summary>Linear: one kernel for every channel, or one per channel. GradientMagnitude: exactly [gx, gy].</summary>
    public IReadOnlyList<Kernel> Kernels { get; init; } = [];

    /// <summary>Linear mode with one kernel per channel (Kernels[c] applies to channel c).</summary>
    public bool PerChannelKernels { get; init; }

    /// <summary>The channel-mixing layer, for <see cref="FilterMode.ChannelMix"/>.</summary>
    public ConvLayer? Layer { get; init; }

    /// <summary>The target size and method, for <see cref="FilterMode.Resize"/>.</summary>
    public Geometry.ResizeSpec? Resize { get; init; }

    /// <summary>The rectangle kept, for <see cref="FilterMode.Crop"/>.</summary>
    public Geometry.CropRect? Crop { get; init; }

    /// <summary>A resize or crop step: it has no kernel and changes the frame's size, not its samples' neighbourhoods.</summary>
    public bool IsGeometric => Mode is FilterMode.Resize or FilterMode.Crop;

    /// <summary>A resize step (<c>resize:</c> in a chain).</summary>
    public static FilterDefinition Resizing(Geometry.ResizeSpec spec) => new() { Name = "resize", Mode = FilterMode.Resize, Resize = spec };

    /// <summary>A crop step (<c>crop:</c> in a chain).</summary>
    public static FilterDefinition Cropping(Geometry.CropRect rect) => new() { Name = "crop", Mode = FilterMode.Crop, Crop = rect };

    /// <summary>Channels the filter applies to; the others pass through unchanged. Null: all channels.</summary>
    public IReadOnlyList<int>? Channels { get; init; }

    public float Scale { get; init; } = 1f;
    public float Bias { get; init; }

    /// <summary>Kernel anchor (y, x); null means OpenCV's default, floor(k/2). Only meaningful with <c>padding: same</c>.</summary>
    public Pair? Anchor { get; init; }

    /// <summary>Border mode; null means reflect101 with <c>same</c> padding (OpenCV) and constant 0 with explicit padding (PyTorch).</summary>
    public BorderMode? Border { get; init; }
    public float BorderValue { get; init; }
    public Padding Padding { get; init; } = Padding.Same;
    public Pair Stride { get; init; } = Pair.Of(1);
    public Pair Dilation { get; init; } = Pair.Of(1);

    /// <summary>The border mode in force once defaults are applied.</summary>
    public BorderMode EffectiveBorder => Border ?? (Padding.Kind == PaddingKind.Same ? BorderMode.Reflect101 : BorderMode.Constant);

    /// <summary>Kernel height and width (all kernels of a filter share one size).</summary>
    public (int Height, int Width) KernelSize
    {
        get
        {
            if (IsGeometric) return (1, 1);
            var k = Mode == FilterMode.ChannelMix ? Layer!.Weights[0][0] : Kernels[0];
            return (k.Height, k.Width);
        }
    }

    /// <summary>A plain filter with one kernel for every channel.</summary>
    public static FilterDefinition FromKernel(Kernel kernel, string name = "inline") => new() { Name = name, Kernels = [kernel] };

    /// <summary>Throws <see cref="FilterDefinitionException"/> if the definition is inconsistent; frame-independent checks only.</summary>
    public void Validate()
    {
        if (Mode == FilterMode.Resize)
        {
            (Resize ?? throw new FilterDefinitionException($"filter '{Name}': a resize step needs a size", "resize")).Validate();
            return;
        }
        if (Mode == FilterMode.Crop)
        {
            (Crop ?? throw new FilterDefinitionException($"filter '{Name}': a crop step needs a rectangle", "crop")).Validate();
            return;
        }
        switch (Mode)
        {
            case FilterMode.Linear:
                if (Kernels.Count == 0) throw new FilterDefinitionException($"filter '{Name}' has no kernel", WeightsKey);
                if (!PerChannelKernels && Kernels.Count != 1)
                    throw new FilterDefinitionException($"filter '{Name}' has {Kernels.Count} kernels; use per-channel kernels to give one per channel", "kernels");
                break;
            case FilterMode.GradientMagnitude:
                if (Kernels.Count != 2) throw new FilterDefinitionException($"filter '{Name}': a gradient magnitude needs exactly two kernels (x and y)", "magnitude");
                break;
            case FilterMode.ChannelMix:
                if (Layer is null || Layer.OutChannels == 0 || Layer.InChannels == 0)
                    throw new FilterDefinitionException($"filter '{Name}': a conv2d layer needs weights [out][in][kh][kw]", "weights");
                if (Layer.OutChannels is not (1 or 3 or 4))
                    throw new FilterDefinitionException($"filter '{Name}': out_channels must be 1, 3 or 4 to form a frame, got {Layer.OutChannels}", "out_channels");
                foreach (var row in Layer.Weights)
                    if (row.Count != Layer.InChannels)
                        throw new FilterDefinitionException($"filter '{Name}': every output channel needs {Layer.InChannels} input kernels", "weights");
                if (Layer.Bias.Count != 0 && Layer.Bias.Count != Layer.OutChannels)
                    throw new FilterDefinitionException($"filter '{Name}': bias has {Layer.Bias.Count} values for {Layer.OutChannels} output channels", "layer_bias");
                if (Channels is not null) throw new FilterDefinitionException($"filter '{Name}': a channel selection cannot be combined with a conv2d layer", "channels");
                break;
        }
        var all = Mode == FilterMode.ChannelMix ? Layer!.Weights.SelectMany(r => r) : Kernels;
        var (kh, kw) = KernelSize;
        foreach (var k in all)
            if (k.Height != kh || k.Width != kw)
                throw new FilterDefinitionException($"filter '{Name}': all kernels must have the same size ({kh}x{kw}), found {k.Height}x{k.Width}", WeightsKey);
        if (Stride.Y < 1 || Stride.X < 1) throw new FilterDefinitionException($"filter '{Name}': stride must be at least 1, got {Stride}", "stride");
        if (Dilation.Y < 1 || Dilation.X < 1) throw new FilterDefinitionException($"filter '{Name}': dilation must be at least 1, got {Dilation}", "dilation");
        if (Padding.Kind == PaddingKind.Explicit && (Padding.Amount.Y < 0 || Padding.Amount.X < 0))
            throw new FilterDefinitionException($"filter '{Name}': padding must not be negative, got {Padding}", "padding");
        if (Padding.Amount.Y > 4096 || Padding.Amount.X > 4096)
            throw new FilterDefinitionException($"filter '{Name}': padding {Padding} is larger than the 4096 limit", "padding");
        if (Stride.Y > 4096 || Stride.X > 4096)
            throw new FilterDefinitionException($"filter '{Name}': stride and dilation must be at most 4096", "stride");
        if (Dilation.Y > 4096 || Dilation.X > 4096)
            throw new FilterDefinitionException($"filter '{Name}': stride and dilation must be at most 4096", "dilation");
        if (Anchor is { } a)
        {
            if (Padding.Kind != PaddingKind.Same)
                throw new FilterDefinitionException($"filter '{Name}': anchor only applies with padding: same", "anchor");
            if (a.Y < 0 || a.Y >= kh || a.X < 0 || a.X >= kw)
                throw new FilterDefinitionException($"filter '{Name}': anchor {a} lies outside the {kh}x{kw} kernel", "anchor");
        }
        if (!float.IsFinite(Scale) || !float.IsFinite(Bias) || !float.IsFinite(BorderValue))
            throw new FilterDefinitionException($"filter '{Name}': scale, bias and border_value must be finite numbers",
                !float.IsFinite(Scale) ? "scale" : !float.IsFinite(Bias) ? "bias" : "border_value");
        CheckFloatRange();
        if (Channels is { } ch)
        {
            if (ch.Count == 0) throw new FilterDefinitionException($"filter '{Name}': the channel selection is empty", "channels");
            foreach (var c in ch)
                if (c < 0 || c > 3) throw new FilterDefinitionException($"filter '{Name}': channel {c} does not exist (channels are 0..3)", "channels");
            if (ch.Distinct().Count() != ch.Count) throw new FilterDefinitionException($"filter '{Name}': the channel selection repeats a channel", "channels");
            if (Stride != Pair.Of(1) || Padding.Kind != PaddingKind.Same)
                throw new FilterDefinitionException($"filter '{Name}': a channel selection needs stride 1 and padding: same, so the untouched channels keep their size", "channels");
        }
    }

    /// <summary>The filter-file key that holds this filter's weights: <c>kernel</c> (also for row/column and generators), <c>kernels</c>, <c>magnitude</c> or <c>weights</c>.</summary>
    public string WeightsKey => Mode switch
    {
        FilterMode.GradientMagnitude => "magnitude",
        FilterMode.ChannelMix => "weights",
        _ => PerChannelKernels ? "kernels" : "kernel",
    };

    /// <summary>The largest magnitude a sample entering the kernel can have: 255, or a larger constant border value.</summary>
    public double MaxInput => Math.Max(255.0, Math.Abs((double)BorderValue));

    /// <summary>
    /// Refuses weights whose scaled values or worst-case sums leave float32's range (the engine computes in
    /// float32: an overflow would give ±∞ or NaN, written as 255 or 0 — silently wrong). Worst case: every
    /// sample at <see cref="MaxInput"/> with the sign of its weight; for a magnitude, gx² + gy² must fit too.
    /// </summary>
    private void CheckFloatRange()
    {
        var groups = Mode == FilterMode.ChannelMix
            ? Layer!.Weights.Select(row => row.ToList()).ToList()       // one output channel sums over every input kernel
            : Kernels.Select(k => new List<Kernel> { k }).ToList();
        double limit = Mode == FilterMode.GradientMagnitude ? Math.Sqrt(float.MaxValue / 2.0) : float.MaxValue;
        double biasMax = Math.Abs((double)Bias) + (Mode == FilterMode.ChannelMix && Layer!.Bias.Count > 0 ? Layer.Bias.Max(b => Math.Abs((double)b)) : 0);
        foreach (var group in groups)
        {
            double scaled = 0, unscaled = 0;
            bool weightOverflow = false;
            foreach (var k in group)
                foreach (float w in k.Weights)
                {
                    float sw = w * Scale; // as Kernel.Scaled computes it
                    weightOverflow |= !float.IsFinite(sw);
                    scaled += Math.Abs((double)sw);
                    unscaled += Math.Abs((double)w);
                }
            double worst = scaled * MaxInput + biasMax;
            if (!weightOverflow && worst <= limit) continue;
            bool blameScale = Scale != 1f && unscaled * MaxInput + biasMax <= limit;
            string what = Mode == FilterMode.GradientMagnitude ? "gx² + gy²" : "a sum";
            throw new FilterDefinitionException(
                $"filter '{Name}': weights{(Scale != 1f ? $" times scale {Scale:G4}" : "")} overflow float32 — {what} can reach " +
                $"{(Mode == FilterMode.GradientMagnitude ? 2 * worst * worst : worst):G3} on 8-bit input, beyond {float.MaxValue:G3}; use smaller weights or scale",
                blameScale ? "scale" : WeightsKey);
        }
    }
}
