using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Cli.Filters;

/// <summary>Turns a filter mapping (a filter file, or an inline chain step) into a validated <see cref="FilterDefinition"/>.</summary>
public static class FilterFileReader
{
    /// <summary>Reads <paramref name="map"/>; <paramref name="defaultName"/> names the filter when the file has no <c>name:</c>.</summary>
    public static FilterDefinition Read(YMapping map, string defaultName, IReadOnlyCollection<string>? extraKeys = null)
    {
        var known = extraKeys is null ? FilterFileKeys.All : [.. FilterFileKeys.All, .. extraKeys];
        map.CheckKeys("a filter", known);
        if (GeometryStepReader.TryRead(map, defaultName) is { } geometric) return geometric;

        var sources = map.Entries.Where(e => FilterFileKeys.KernelSources.Contains(e.Key.Value)).Select(e => e.Key).ToList();
        var groups = sources.Select(k => k.Value is "row" or "column" ? "row/column" : k.Value).Distinct().ToList();
        if (groups.Count == 0)
            throw new ConfigException(map.Location, "the filter gives no weights: use one of kernel, row/column, generator, magnitude, kernels or weights (or resize: / crop: for a step that changes the frame's size)");
        if (groups.Count > 1)
        {
            var second = sources.First(k => (k.Value is "row" or "column" ? "row/column" : k.Value) == groups[1]);
            throw new ConfigException(second.Location, $"'{second.Value}' cannot be combined with '{groups[0]}': a filter takes its weights from one of kernel, row/column, generator, magnitude, kernels, weights");
        }
        CheckOnlyWith(map, FilterFileKeys.GeneratorParameters, "generator");
        CheckOnlyWith(map, FilterFileKeys.LayerKeys, "weights");

        string name = map["name"] is { } n ? n.AsString("name") : defaultName;
        var def = new FilterDefinition
        {
            Name = name,
            Description = map["description"] is { } d ? (d.AsScalar("description").IsNull ? "" : d.AsScalar("description").Value) : "",
            Scale = map["scale"] is { } s ? (float)s.AsNumber("scale") : 1f,
            Bias = map["bias"] is { } b ? (float)b.AsNumber("bias") : 0f,
            BorderValue = map["border_value"] is { } bv ? (float)bv.AsNumber("border_value") : 0f,
            Border = map["border"] is { } border ? ParseBorder(border) : null,
            Padding = map["padding"] is { } p ? ParsePadding(p) : Padding.Same,
            Stride = map["stride"] is { } st ? ReadPair(st, "stride", 1, 4096) : Pair.Of(1),
            Dilation = map["dilation"] is { } dl ? ReadPair(dl, "dilation", 1, 4096) : Pair.Of(1),
            Anchor = map["anchor"] is { } a ? ReadPair(a, "anchor", 0, Kernel.MaxSide - 1) : null,
            Channels = map["channels"] is { } ch ? ReadChannels(ch) : null,
        };
        def = groups[0] switch
        {
            "kernel" => def with { Kernels = [ReadMatrix(map["kernel"]!, "kernel")] },
            "row/column" => def with { Kernels = [ReadSeparable(map)] },
            "generator" => def with { Kernels = [ReadGenerator(map)] },
            "magnitude" => def with { Mode = FilterMode.GradientMagnitude, Kernels = ReadMagnitude(map["magnitude"]!) },
            "kernels" => def with { PerChannelKernels = true, Kernels = ReadKernelList(map["kernels"]!) },
            _ => def with { Mode = FilterMode.ChannelMix, Layer = ReadLayer(map) },
        };
        try
        {
            def.Validate();
        }
        catch (FilterDefinitionException ex)
        {
            throw new ConfigException(Blame(map, ex), ex.Message, ex);
        }
        return def;
    }

    /// <summary>Where the key a Core error names (<see cref="FilterDefinitionException.Key"/>) was written, else the mapping itself.</summary>
    public static SourceLocation Blame(YMapping map, FilterDefinitionException error) =>
        error.Key is { } key && map.Entries.FirstOrDefault(e => e.Key.Value == key) is { Key: not null } hit ? hit.Value.Location : map.Location;

    private static void CheckOnlyWith(YMapping map, string[] keys, string owner)
    {
        if (map.Has(owner)) return;
        foreach (var key in keys)
            if (map.KeyNode(key) is { } k)
                throw new ConfigException(k.Location, $"'{key}' only applies together with '{owner}:'");
    }

    private static BorderMode ParseBorder(YNode node) => node.AsChoice("border", FilterFileKeys.BorderNames) switch
    {
        "constant" => BorderMode.Constant,
        "replicate" => BorderMode.Replicate,
        "reflect" => BorderMode.Reflect,
        "reflect101" => BorderMode.Reflect101,
        _ => BorderMode.Wrap,
    };

    private static Padding ParsePadding(YNode node)
    {
        if (node is YScalar { Value: "same" }) return Padding.Same;
        if (node is YScalar { Value: "valid" }) return Padding.Valid;
        if (node is YScalar s && !int.TryParse(s.Value, out _))
            throw new ConfigException(node.Location, $"padding: unknown value {s.Describe()}{NameSuggestions.Hint(s.Value, ["same", "valid"])} (same, valid, a number or [y, x])");
        var pair = ReadPair(node, "padding", 0, 4096);
        return Padding.Of(pair.Y, pair.X);
    }

    /// <summary>An int or a two-value list <c>[y, x]</c>.</summary>
    public static Pair ReadPair(YNode node, string what, int min, int max)
    {
        if (node is YSequence seq)
        {
            if (seq.Count != 2) throw new ConfigException(node.Location, $"{what} must be a number or a pair [y, x], got {seq.Count} values");
            return new Pair(seq[0].AsInt($"{what} y", min, max), seq[1].AsInt($"{what} x", min, max));
        }
        return Pair.Of(node.AsInt(what, min, max));
    }

    private static IReadOnlyList<int> ReadChannels(YNode node)
    {
        if (node is YScalar) return [node.AsInt("channels", 0, 3)];
        var seq = node.AsSequence("channels");
        if (seq.Count is 0 or > 4) throw new ConfigException(node.Location, $"channels lists 1 to 4 channel numbers, got {seq.Count}");
        var list = new List<int>();
        foreach (var item in seq.Items)
        {
            int c = item.AsInt("channel", 0, 3);
            if (list.Contains(c)) throw new ConfigException(item.Location, $"channel {c} is listed twice");
            list.Add(c);
        }
        return list;
    }

    /// <summary>A kernel from a list of rows, refusing oversized, ragged and non-finite ones before allocating.</summary>
    public static Kernel ReadMatrix(YNode node, string what)
    {
        var rows = node.AsSequence(what);
        if (rows.Count == 0) throw new ConfigException(node.Location, $"{what} has no rows");
        if (rows.Count > Kernel.MaxSide)
            throw new ConfigException(node.Location, $"{what} has {rows.Count} rows, more than the {Kernel.MaxSide}x{Kernel.MaxSide} limit");
        if (rows[0] is YScalar)
            throw new ConfigException(node.Location, $"{what} must be a list of rows, e.g. [[0, 1, 0], [1, -4, 1], [0, 1, 0]]; for a single row write [[...]] or use row:");
        int width = -1;
        var data = new List<float>();
        for (int y = 0; y < rows.Count; y++)
        {
            var row = rows[y].AsSequence($"{what} row {y + 1}");
            if (row.Count > Kernel.MaxSide)
                throw new ConfigException(row.Location, $"{what} row {y + 1} has {row.Count} values, more than the {Kernel.MaxSide}x{Kernel.MaxSide} limit");
            if (width < 0) width = row.Count;
            else if (row.Count != width)
                throw new ConfigException(row.Location, $"{what} is ragged: row {y + 1} has {row.Count} values, row 1 has {width}");
            if (width == 0) throw new ConfigException(row.Location, $"{what} row {y + 1} is empty");
            for (int x = 0; x < row.Count; x++) data.Add((float)row[x].AsNumber($"{what} row {y + 1} value {x + 1}"));
        }
        return Build(node, () => new Kernel(rows.Count, width, data.ToArray()));
    }

    private static Kernel ReadSeparable(YMapping map)
    {
        var row = map["row"] is { } r ? r.AsVector("row", Kernel.MaxSide) : [1f];
        var column = map["column"] is { } c ? c.AsVector("column", Kernel.MaxSide) : [1f];
        return Build(map, () => Kernel.Outer(column, row));
    }

    private static Kernel ReadGenerator(YMapping map)
    {
        var genNode = map["generator"]!;
        var gen = genNode.AsChoice("generator", FilterFileKeys.Generators);
        foreach (var (param, users) in new[] { ("sigma", new[] { "gaussian", "unsharp" }), ("amount", ["unsharp"]) })
            if (map.KeyNode(param) is { } k && !users.Contains(gen))
                throw new ConfigException(k.Location, $"'{param}' does not apply to generator '{gen}'");
        int size = map["size"] is { } sz ? sz.AsInt("size", 1, Kernel.MaxSide) : (gen == "box" ? 3 : 5);
        double sigma = map["sigma"] is { } sg ? sg.AsNumber("sigma") : 0;
        if (sigma < 0) throw new ConfigException(map["sigma"]!.Location, $"sigma must not be negative (0 derives it from size), got {sigma}");
        if (gen == "unsharp" && size % 2 == 0) throw new ConfigException(map["size"]!.Location, $"unsharp size must be odd, got {size}");
        double amount = map["amount"] is { } am ? am.AsNumber("amount") : 1.0;
        return Build(genNode, () => gen switch
        {
            "gaussian" => KernelGenerators.Gaussian(size, sigma),
            "box" => KernelGenerators.Box(size),
            _ => KernelGenerators.Unsharp(amount, size, sigma),
        });
    }

    private static IReadOnlyList<Kernel> ReadMagnitude(YNode node)
    {
        var m = node.AsMapping("magnitude");
        m.CheckKeys("magnitude", ["x", "y"]);
        var x = m["x"] ?? throw new ConfigException(node.Location, "magnitude needs both x: and y: kernels");
        var y = m["y"] ?? throw new ConfigException(node.Location, "magnitude needs both x: and y: kernels");
        return [ReadMatrix(x, "magnitude x"), ReadMatrix(y, "magnitude y")];
    }

    private static IReadOnlyList<Kernel> ReadKernelList(YNode node)
    {
        var seq = node.AsSequence("kernels");
        if (seq.Count is 0 or > 4) throw new ConfigException(node.Location, $"kernels gives one kernel per channel (1 to 4), got {seq.Count}");
        return seq.Items.Select((k, i) => ReadMatrix(k, $"kernels[{i}]")).ToList();
    }

    private static ConvLayer ReadLayer(YMapping map)
    {
        var wNode = map["weights"]!;
        var outs = wNode.AsSequence("weights");
        if (outs.Count is 0 or > 4) throw new ConfigException(wNode.Location, $"weights is [out][in][kh][kw] with 1 to 4 output channels, got {outs.Count}");
        var weights = new List<IReadOnlyList<Kernel>>();
        for (int o = 0; o < outs.Count; o++)
        {
            var ins = outs[o].AsSequence($"weights[{o}]");
            if (ins.Count is 0 or > 4) throw new ConfigException(ins.Location, $"weights[{o}] needs one kernel per input channel (1 to 4), got {ins.Count}");
            if (o > 0 && ins.Count != weights[0].Count)
                throw new ConfigException(ins.Location, $"weights[{o}] has {ins.Count} input kernels, weights[0] has {weights[0].Count}");
            weights.Add(ins.Items.Select((k, i) => ReadMatrix(k, $"weights[{o}][{i}]")).ToList());
        }
        var first = weights[0][0];
        for (int o = 0; o < weights.Count; o++)
            for (int i = 0; i < weights[o].Count; i++)
                if (weights[o][i].Height != first.Height || weights[o][i].Width != first.Width)
                    throw new ConfigException(((YSequence)outs[o])[i].Location,
                        $"weights[{o}][{i}] is {weights[o][i].Height}x{weights[o][i].Width}, weights[0][0] is {first.Height}x{first.Width}: all kernels of a layer share one size");
        if (map["out_channels"] is { } oc && oc.AsInt("out_channels", 1, 4) != weights.Count)
            throw new ConfigException(oc.Location, $"out_channels is {oc.AsInt("out_channels")} but weights has {weights.Count} output channels");
        if (map["in_channels"] is { } ic && ic.AsInt("in_channels", 1, 4) != weights[0].Count)
            throw new ConfigException(ic.Location, $"in_channels is {ic.AsInt("in_channels")} but weights has {weights[0].Count} input kernels per output channel");
        float[] bias = [];
        if (map["layer_bias"] is { } lb)
        {
            bias = lb.AsVector("layer_bias", 4);
            if (bias.Length != weights.Count)
                throw new ConfigException(lb.Location, $"layer_bias has {bias.Length} values for {weights.Count} output channels");
        }
        return new ConvLayer(weights, bias);
    }

    private static Kernel Build(YNode at, Func<Kernel> make)
    {
        try
        {
            return make();
        }
        catch (FilterDefinitionException ex)
        {
            throw new ConfigException(at.Location, ex.Message, ex);
        }
    }
}
