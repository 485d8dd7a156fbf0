using VideoConv.Cli.Config;
using VideoConv.Cli.Filters;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Cli.Tests;

/// <summary>The filter-file keys map to the <see cref="FilterDefinition"/> they document.</summary>
public sealed class FilterFileTests
{
    private static readonly SourceLocation Here = SourceLocation.CommandLine("test");

    private static FilterDefinition Read(string yaml) =>
        FilterFileReader.Read(SafeYamlReader.ReadText(yaml, "test.yaml").AsMapping("a filter"), "test");

    private static FilterDefinition Step(string yaml) =>
        PipelineConfigReader.ReadStep(SafeYamlReader.ReadText(yaml, "step.yaml"), Environment.CurrentDirectory);

    private static float[,] Weights(Kernel k)
    {
        var w = new float[k.Height, k.Width];
        for (int y = 0; y < k.Height; y++)
            for (int x = 0; x < k.Width; x++) w[y, x] = k[y, x];
        return w;
    }

    [Theory]
    [InlineData("identity"), InlineData("box"), InlineData("gaussian"), InlineData("sharpen"), InlineData("unsharp"), InlineData("laplacian")]
    [InlineData("sobel"), InlineData("sobel-x"), InlineData("sobel-y"), InlineData("scharr"), InlineData("prewitt"), InlineData("emboss")]
    public void Builtin_Loads_AndIsNamedAfterItsFile(string name)
    {
        var def = FilterLibrary.Load(name, "/", Here);
        Assert.Equal(name, def.Name);
        Assert.False(string.IsNullOrWhiteSpace(def.Description));
        def.Validate();
    }

    [Fact]
    public void EveryFilterFileInTheRepository_IsEmbedded()
    {
        var onDisk = Directory.GetFiles(Repository.Filters, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(onDisk, FilterLibrary.BuiltinNames);
    }

    [Fact]
    public void Kernel_IsReadRowByRow()
    {
        var def = Read("kernel:\n  - [ 0, -1,  0]\n  - [-1,  5, -1]\n  - [ 0, -1,  0]\nborder: reflect101\n");
        Assert.Equal(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } }, Weights(def.Kernels[0]));
        Assert.Equal(BorderMode.Reflect101, def.Border);
        Assert.Equal(FilterMode.Linear, def.Mode);
    }

    [Fact]
    public void RowAndColumn_GiveTheOuterProduct_AndStaySeparable()
    {
        var def = FilterLibrary.Load("sobel-x", "/", Here);
        Assert.Equal(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }, Weights(def.Kernels[0]));
        Assert.True(def.Kernels[0].TrySeparate(out _, out _));
    }

    [Fact]
    public void RowAlone_IsOneRowHigh()
    {
        var def = Read("row: [1, 2, 1]\nscale: 1/4\n");
        Assert.Equal((1, 3), def.KernelSize);
        Assert.Equal(0.25f, def.Scale);
    }

    [Fact]
    public void Magnitude_GivesAGradientMagnitudeFilter()
    {
        var def = FilterLibrary.Load("sobel", "/", Here);
        Assert.Equal(FilterMode.GradientMagnitude, def.Mode);
        Assert.Equal(2, def.Kernels.Count);
        Assert.Equal(-2f, def.Kernels[0][1, 0]);
        Assert.Equal(-2f, def.Kernels[1][0, 1]);
    }

    [Fact]
    public void Kernels_GiveOneKernelPerChannel()
    {
        var def = Read("kernels:\n  - [[1]]\n  - [[2]]\n  - [[3]]\n");
        Assert.True(def.PerChannelKernels);
        Assert.Equal([1f, 2f, 3f], def.Kernels.Select(k => k[0, 0]));
    }

    [Fact]
    public void Weights_GiveAChannelMixingLayer()
    {
        var def = Read("weights:\n  - [[[1, 0]], [[0, 1]], [[1, 1]]]\nlayer_bias: [5]\nin_channels: 3\nout_channels: 1\n");
        Assert.Equal(FilterMode.ChannelMix, def.Mode);
        Assert.Equal(3, def.Layer!.InChannels);
        Assert.Equal(1, def.Layer.OutChannels);
        Assert.Equal([5f], def.Layer.Bias);
        Assert.Equal((1, 2), def.KernelSize);
    }

    [Fact]
    public void GeometryKeys_AcceptNumbersAndPairs()
    {
        var def = Read("kernel: [[1, 2], [3, 4]]\npadding: [1, 2]\nstride: [2, 3]\ndilation: 2\nborder: wrap\nborder_value: 7\nbias: -1.5\n");
        Assert.Equal(Padding.Of(1, 2), def.Padding);
        Assert.Equal(new Pair(2, 3), def.Stride);
        Assert.Equal(Pair.Of(2), def.Dilation);
        Assert.Equal(BorderMode.Wrap, def.Border);
        Assert.Equal(7f, def.BorderValue);
        Assert.Equal(-1.5f, def.Bias);
    }

    [Theory]
    [InlineData("same", PaddingKind.Same)]
    [InlineData("valid", PaddingKind.Valid)]
    [InlineData("0", PaddingKind.Explicit)]
    public void Padding_Forms(string text, PaddingKind kind) =>
        Assert.Equal(kind, Read($"kernel: [[1]]\npadding: {text}\n").Padding.Kind);

    [Fact]
    public void ExplicitPadding_DefaultsToAZeroBorder_LikePyTorch() =>
        Assert.Equal(BorderMode.Constant, Read("kernel: [[1]]\npadding: 1\n").EffectiveBorder);

    [Fact]
    public void Channels_SelectsChannels()
    {
        var def = Read("kernel: [[1]]\nchannels: [0, 2]\n");
        Assert.Equal([0, 2], def.Channels);
    }

    [Fact]
    public void ParametersInAChainStep_OverrideTheFiltersOwn()
    {
        var def = Step("filter: gaussian\nsize: 3\nsigma: 0\n");
        Assert.Equal(KernelGenerators.Gaussian(3, 0), def.Kernels[0]);
        Assert.Equal("gaussian", def.Name);
        Assert.Equal(BorderMode.Reflect101, def.Border);
    }

    [Fact]
    public void KernelInAChainStep_ReplacesAGeneratorsWeights()
    {
        var def = Step("filter: gaussian\nkernel: [[1, 1]]\n");
        Assert.Equal((1, 2), def.KernelSize);
    }

    [Fact]
    public void GeometryInAChainStep_KeepsTheFiltersWeights()
    {
        var def = Step("filter: sharpen\nstride: 2\npadding: valid\n");
        Assert.Equal(5f, def.Kernels[0][1, 1]);
        Assert.Equal(Pair.Of(2), def.Stride);
    }

    [Fact]
    public void BareNameStep_IsTheBuiltin() =>
        Assert.Equal(FilterMode.GradientMagnitude, Step("sobel").Mode);

    [Fact]
    public void TwoWeightSources_AreRefusedAtTheSecond()
    {
        var ex = Assert.Throws<ConfigException>(() => Read("kernel: [[1]]\ngenerator: box\n"));
        Assert.Equal(2, ex.Location.Line);
        Assert.Contains("cannot be combined", ex.Message);
    }

    [Fact]
    public void GeneratorParameterWithoutGenerator_IsRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => Read("kernel: [[1]]\nsigma: 2\n"));
        Assert.Equal((2, 1), (ex.Location.Line, ex.Location.Column));
        Assert.Contains("only applies together with 'generator:'", ex.Message);
    }

    [Fact]
    public void UnsharpWithEvenSize_IsRefusedAtTheSize()
    {
        var ex = Assert.Throws<ConfigException>(() => Step("filter: unsharp\nsize: 4\n"));
        Assert.Equal((2, 7), (ex.Location.Line, ex.Location.Column));
        Assert.Contains("odd", ex.Message);
    }

    [Fact]
    public void ExampleConfigs_AreValid()
    {
        var configs = Directory.GetFiles(Repository.Configs, "*.yaml");
        Assert.Contains(configs, c => c.EndsWith("demo.yaml"));
        Assert.Contains(configs, c => c.EndsWith("channels.yaml"));
        foreach (var path in configs)
        {
            var config = PipelineConfigReader.ReadFile(path);
            if (ConfigValidation.KnownFormat(config) is { } format) ConfigValidation.ChainOutput(config.Chain, format, config.RootLocation);
        }
    }

    [Fact]
    public void ChannelsExample_EndsInOneChannel()
    {
        var config = PipelineConfigReader.ReadFile(Path.Combine(Repository.Configs, "channels.yaml"));
        Assert.True(config.Chain[0].Definition.PerChannelKernels);
        Assert.Equal(FilterMode.ChannelMix, config.Chain[1].Definition.Mode);
        Assert.Equal(1, ConfigValidation.ChainOutput(config.Chain, ConfigValidation.KnownFormat(config)!.Value, config.RootLocation).Channels);
    }

    [Fact]
    public void SpecParts_CarryTheirLines()
    {
        using var dir = new TempFolder();
        var path = dir.Write("c.yaml", "source:\n  pattern: {}\nchain:\n  - sharpen\n  - sobel\nsinks:\n  - discard: {}\n  - file: out.mkv\n    codec: FFV1\n");
        var spec = PipelineConfigReader.ReadFile(path).ToSpec();
        Assert.Equal(2, spec.Source.Origin!.At.Line);
        Assert.Equal(5, spec.ChainOrigin(1)!.At.Line);
        Assert.Equal(8, spec.Sinks[1].Origin!.At.Line);
        Assert.Equal((9, 12), (spec.Sinks[1].Origin!.Of("codec").Line, spec.Sinks[1].Origin!.Of("codec").Column));
        Assert.Equal(1, spec.Origin!.At.Line);
    }

    [Fact]
    public void ValidatorRefusal_IsLocatedFromTheOrigin_NotFromItsText()
    {
        using var dir = new TempFolder();
        var path = dir.Write("c.yaml", "source:\n  pattern: {width: 32, height: 32}\nchain:\n  - sharpen\n  - kernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n    padding: valid\n    dilation: 20\nsinks:\n  - discard: {}\n");
        var ex = Assert.Throws<ConfigException>(() => ConfigValidation.Check(PipelineConfigReader.ReadFile(path), overwrite: false));
        Assert.Equal((5, 5), (ex.Location.Line, ex.Location.Column));
        var spec = Assert.IsType<PipelineSpecException>(ex.InnerException);
        Assert.Equal("chain step 2", spec.Subject);
    }

    [Theory]
    [InlineData("sobelx", "sobel-x")]
    [InlineData("Sobel_Y", "sobel-y")]
    [InlineData("gausian", "gaussian")]
    [InlineData("sharpn", "sharpen")]
    public void Suggestions_FindTheIntendedName(string wrong, string expected) =>
        Assert.Equal([expected], NameSuggestions.Closest(wrong, FilterLibrary.BuiltinNames));

    [Fact]
    public void Suggestions_StaySilentForUnrelatedNames() =>
        Assert.Empty(NameSuggestions.Closest("quux", FilterLibrary.BuiltinNames));
}
