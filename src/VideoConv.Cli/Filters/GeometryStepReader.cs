using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;

namespace VideoConv.Cli.Filters;

/// <summary>
/// Reads the chain steps that change a frame's size: <c>resize: {width, height, method}</c> and
/// <c>crop: {x, y, width, height}</c>. Frame-independent mistakes are refused here at their own key; a crop that
/// does not fit the frame is refused once the frame size is known (before the first frame), at <c>crop:</c>.
/// </summary>
internal static class GeometryStepReader
{
    public static readonly string[] ResizeKeys = ["width", "height", "method"];
    public static readonly string[] CropKeys = ["x", "y", "width", "height"];
    public static readonly string[] Methods = ["bilinear", "area", "bicubic"];

    /// <summary>The step <paramref name="map"/> gives, when it has <c>resize:</c> or <c>crop:</c>; else null.</summary>
    public static FilterDefinition? TryRead(YMapping map, string defaultName)
    {
        var kinds = map.Entries.Where(e => FilterFileKeys.Geometric.Contains(e.Key.Value)).ToList();
        if (kinds.Count == 0) return null;
        if (kinds.Count > 1)
            throw new ConfigException(kinds[1].Key.Location, $"'{kinds[1].Key.Value}' cannot be combined with '{kinds[0].Key.Value}' in one step; write them as two chain steps");
        var (key, value) = kinds[0];
        var other = map.Entries.FirstOrDefault(e => e.Key.Value is not ("name" or "description") && e.Key != key);
        if (other.Key is not null)
            throw new ConfigException(other.Key.Location, $"'{other.Key.Value}' does not apply to a {key.Value} step (it takes only {key.Value}: {{...}}, name and description); write the filter as a step of its own");
        var def = key.Value == "resize" ? FilterDefinition.Resizing(ReadResize(value)) : FilterDefinition.Cropping(ReadCrop(value));
        if (map["name"] is { } n) def = def with { Name = n.AsString("name") };
        else if (defaultName != "inline") def = def with { Name = defaultName };
        if (map["description"] is { } d && !d.AsScalar("description").IsNull) def = def with { Description = d.AsScalar("description").Value };
        try
        {
            def.Validate();
        }
        catch (FilterDefinitionException ex)
        {
            throw new ConfigException(value.Location, ex.Message, ex);
        }
        return def;
    }

    private static ResizeSpec ReadResize(YNode node)
    {
        var map = node.AsMapping("resize");
        map.CheckKeys("resize", ResizeKeys);
        int width = Side(map, "width"), height = Side(map, "height");
        if (width < 0 && height < 0)
            throw new ConfigException(node.Location, "resize needs width, height or both (a side left out, or -1, follows the other keeping the aspect ratio; -2 also rounds it to an even size)");
        var method = map["method"] is { } m ? m.AsChoice("resize method", Methods) switch
        {
            "area" => ResizeMethod.Area,
            "bicubic" => ResizeMethod.Bicubic,
            _ => ResizeMethod.Bilinear,
        } : ResizeMethod.Bilinear;
        return new ResizeSpec(width, height, method);
    }

    // A side: pixels, or -n (keep the aspect ratio, rounded to a multiple of n, as FFmpeg's scale); left out is -1.
    private static int Side(YMapping map, string key)
    {
        if (map[key] is not { } node) return -1;
        int v = node.AsInt($"resize {key}", -ResizeSpec.MaxMultiple, ResizeSpec.MaxSide);
        if (v == 0) throw new ConfigException(node.Location, $"resize {key} must be 1 to {ResizeSpec.MaxSide} pixels, or -1 to -{ResizeSpec.MaxMultiple} to follow the other side (0 is no size)");
        return v;
    }

    private static CropRect ReadCrop(YNode node)
    {
        var map = node.AsMapping("crop");
        map.CheckKeys("crop", CropKeys);
        int x = map["x"] is { } xn ? xn.AsInt("crop x", 0, CropRect.MaxSide - 1) : 0;
        int y = map["y"] is { } yn ? yn.AsInt("crop y", 0, CropRect.MaxSide - 1) : 0;
        var w = map["width"] ?? throw new ConfigException(node.Location, "crop needs width and height (x and y default to 0)");
        var h = map["height"] ?? throw new ConfigException(node.Location, "crop needs width and height (x and y default to 0)");
        return new CropRect(x, y, w.AsInt("crop width", 1, CropRect.MaxSide), h.AsInt("crop height", 1, CropRect.MaxSide));
    }
}
