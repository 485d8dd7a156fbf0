using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Where every output sample reads from: padding, output size (as PyTorch's conv2d defines it) and the
/// border tables mapping padded rows/columns to source rows/columns. Built once per (frame size, filter).
/// </summary>
public sealed class ConvolutionGeometry
{
    public ConvolutionGeometry(FilterDefinition filter, ImageFormat input)
    {
        filter.Validate();
        input.Validate();
        Input = input;
        (KernelHeight, KernelWidth) = filter.KernelSize;
        Stride = filter.Stride;
        Dilation = filter.Dilation;
        Border = filter.EffectiveBorder;

        int spanY = Dilation.Y * (KernelHeight - 1), spanX = Dilation.X * (KernelWidth - 1);
        switch (filter.Padding.Kind)
        {
            case PaddingKind.Same:
                var anchor = filter.Anchor ?? new Pair(KernelHeight / 2, KernelWidth / 2);
                PadTop = anchor.Y * Dilation.Y;
                PadLeft = anchor.X * Dilation.X;
                PadBottom = spanY - PadTop;
                PadRight = spanX - PadLeft;
                break;
            case PaddingKind.Valid:
                break;
            default:
                PadTop = PadBottom = filter.Padding.Amount.Y;
                PadLeft = PadRight = filter.Padding.Amount.X;
                break;
        }
        long outH = ((long)input.Height + PadTop + PadBottom - spanY - 1) / Stride.Y + 1;
        long outW = ((long)input.Width + PadLeft + PadRight - spanX - 1) / Stride.X + 1;
        if (input.Height + PadTop + PadBottom - spanY - 1 < 0 || input.Width + PadLeft + PadRight - spanX - 1 < 0)
            throw new FilterDefinitionException(
                $"filter '{filter.Name}' on a {input.Width}x{input.Height} frame gives an empty output: the {KernelHeight}x{KernelWidth} kernel " +
                $"(dilation {Dilation}) spans more than the frame plus padding {filter.Padding}");
        OutputHeight = (int)outH;
        OutputWidth = (int)outW;

        InputChannels = input.Channels;
        OutputChannels = filter.Mode == FilterMode.ChannelMix ? filter.Layer!.OutChannels : input.Channels;
        if (filter.Mode == FilterMode.ChannelMix && filter.Layer!.InChannels != input.Channels)
            throw new FilterDefinitionException($"filter '{filter.Name}' expects {filter.Layer.InChannels} input channels (in_channels), the frame has {input.Channels}", "in_channels");
        if (filter.Channels is { } sel)
            foreach (var c in sel)
                if (c >= input.Channels)
                    throw new FilterDefinitionException($"filter '{filter.Name}' selects channel {c}, the frame has {input.Channels} channels (0..{input.Channels - 1})", "channels");
        if (filter.PerChannelKernels)
        {
            int want = filter.Channels?.Count ?? input.Channels;
            if (filter.Kernels.Count != want)
                throw new FilterDefinitionException($"filter '{filter.Name}' has {filter.Kernels.Count} per-channel kernels for {want} channels", "kernels");
        }
        Output = new ImageFormat(OutputWidth, OutputHeight, OutputChannels);
        Output.Validate();

        PaddedHeight = (OutputHeight - 1) * Stride.Y + spanY + 1;
        PaddedWidth = (OutputWidth - 1) * Stride.X + spanX + 1;
        RowTable = BorderIndex.Table(-PadTop, PaddedHeight, input.Height, Border);
        ColumnTable = BorderIndex.Table(-PadLeft, PaddedWidth, input.Width, Border);
    }

    public ImageFormat Input { get; }
    public ImageFormat Output { get; }
    public int KernelHeight { get; }
    public int KernelWidth { get; }
    public Pair Stride { get; }
    public Pair Dilation { get; }
    public BorderMode Border { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int PadBottom { get; }
    public int PadRight { get; }
    public int OutputHeight { get; }
    public int OutputWidth { get; }
    public int InputChannels { get; }
    public int OutputChannels { get; }

    /// <summary>Rows and columns of the padded input that the output actually reads.</summary>
    public int PaddedHeight { get; }
    public int PaddedWidth { get; }

    /// <summary>Padded row → source row (-1: constant border).</summary>
    public int[] RowTable { get; }

    /// <summary>Padded column → source column (-1: constant border).</summary>
    public int[] ColumnTable { get; }
}
