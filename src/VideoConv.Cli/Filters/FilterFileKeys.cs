namespace VideoConv.Cli.Filters;

/// <summary>The keys of a filter file (and of an inline chain step), grouped by role.</summary>
internal static class FilterFileKeys
{
    /// <summary>Keys that say where the weights come from; a filter uses exactly one group.</summary>
    public static readonly string[] KernelSources = ["kernel", "row", "column", "generator", "magnitude", "kernels", "weights"];

    /// <summary>Parameters of <c>generator:</c>.</summary>
    public static readonly string[] GeneratorParameters = ["size", "sigma", "amount"];

    /// <summary>Keys that only make sense with <c>weights:</c>.</summary>
    public static readonly string[] LayerKeys = ["layer_bias", "in_channels", "out_channels"];

    public static readonly string[] Common =
        ["name", "description", "scale", "bias", "anchor", "border", "border_value", "padding", "stride", "dilation", "channels"];

    /// <summary>Steps that change the frame's size instead of convolving it (<see cref="GeometryStepReader"/>).</summary>
    public static readonly string[] Geometric = ["resize", "crop"];

    public static readonly string[] All = [.. Common, .. KernelSources, .. GeneratorParameters, .. LayerKeys, .. Geometric];

    public static readonly string[] Generators = ["gaussian", "box", "unsharp"];

    public static readonly string[] BorderNames = ["constant", "replicate", "reflect", "reflect101", "wrap"];

    /// <summary>True when <paramref name="key"/> is part of how the weights are given (so an override of one replaces them all).</summary>
    public static bool IsWeightKey(string key) =>
        KernelSources.Contains(key) || GeneratorParameters.Contains(key) || LayerKeys.Contains(key);
}
