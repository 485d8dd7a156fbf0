using VideoConv.Cli.Filters;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Filters;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Config;

/// <summary>Reads a pipeline config (source, chain, sinks) into a located <see cref="PipelineConfig"/>.</summary>
public static class PipelineConfigReader
{
    public static readonly string[] TopKeys = ["source", "chain", "sinks", "threads", "space", "planes"];
    // Declared before the lists that include them (static initialisers run in order).
    /// <summary>Keys of a file or url sink for the media layer: quality, encoder options, audio, container.</summary>
    public static readonly string[] MediaSinkKeys = ["crf", "preset", "bitrate", "gop", "codec_options", "audio", "format"];

    /// <summary>Keys of a source for the media layer: trimming a file (start, duration or end); fps of an image sequence.</summary>
    public static readonly string[] MediaSourceKeys = ["start", "duration", "end"];

    public static readonly string[] SourceKinds = ["file", "camera", "images", "pattern", "url"];
    public static readonly string[] SourceKeys = [.. SourceKinds, "live", "realtime", "width", "height", "fps", .. MediaSourceKeys];
    public static readonly string[] PatternKeys = ["width", "height", "fps", "frames"];
    public static readonly string[] SinkKinds = ["file", "display", "images", "discard", "url"];
    public static readonly string[] SinkKeys = [.. SinkKinds, "codec", "encoder", .. MediaSinkKeys];

    /// <summary>Reads the config file at <paramref name="path"/>.</summary>
    public static PipelineConfig ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        var display = FilterLibrary.DisplayPath(full);
        var root = SafeYamlReader.ReadFile(full, display);
        return Read(root, display, Path.GetDirectoryName(full)!);
    }

    /// <summary>Reads a parsed config; relative paths resolve against <paramref name="directory"/>.</summary>
    public static PipelineConfig Read(YNode rootNode, string file, string directory)
    {
        var root = rootNode.AsMapping("a pipeline config");
        root.CheckKeys("a pipeline config", TopKeys);
        var sourceNode = root["source"] ?? throw new ConfigException(root.Location, "the config has no 'source:' (file, camera, images, pattern or url)");
        var sinksNode = root["sinks"] ?? throw new ConfigException(root.Location, "the config has no 'sinks:' (file, display, images or discard)");
        var source = ReadSource(sourceNode, directory);
        var planes = ReadPlanes(root, directory);
        var sinksSeq = sinksNode.AsSequence("sinks");
        if (sinksSeq.Count == 0) throw new ConfigException(sinksNode.Location, "sinks is empty: add at least one (use '- discard: {}' to throw frames away)");
        var sinks = sinksSeq.Items.Select((s, i) => ReadSink(s, i, directory)).ToList();
        return new PipelineConfig
        {
            File = file,
            Directory = directory,
            Source = source,
            Chain = planes.Y,
            UChain = planes.U,
            VChain = planes.V,
            Space = planes.Space,
            SpaceLocation = root.KeyNode("space") is not null ? root["space"]!.Location : null,
            Sinks = sinks,
            RootLocation = root.Location,
            Threads = root["threads"]?.AsInt("threads", 1, 256),
        };
    }

    /// <summary>Reads only the chain of a config (what <c>--watch</c> reloads).</summary>
    public static IReadOnlyList<ChainStep> ReadChainOnly(string path)
    {
        var full = Path.GetFullPath(path);
        var root = SafeYamlReader.ReadFile(full, FilterLibrary.DisplayPath(full)).AsMapping("a pipeline config");
        root.CheckKeys("a pipeline config", TopKeys);
        return ReadPlanes(root, Path.GetDirectoryName(full)!).Y; // space: yuv: the Y plane's chain is the one replaced
    }

    /// <summary>Keys of a per-plane chain (<c>space: yuv</c>): <c>chain: {y: [...], u: [...], v: [...]}</c>.</summary>
    public static readonly string[] PlaneKeys = ["y", "u", "v"];

    // space: bgr|yuv, planes: y|all, and the chain: a list (BGR frames, or Y — or every plane with planes: all), or
    // with space: yuv a mapping of per-plane lists (docs/yuv.md).
    private static (PixelSpace Space, IReadOnlyList<ChainStep> Y, IReadOnlyList<ChainStep> U, IReadOnlyList<ChainStep> V) ReadPlanes(YMapping root, string dir)
    {
        var space = root["space"] is { } sn && sn.AsChoice("space", ["bgr", "yuv"]) == "yuv" ? PixelSpace.Yuv : PixelSpace.Bgr;
        var planesKey = root.KeyNode("planes");
        if (planesKey is not null && space != PixelSpace.Yuv)
            throw new ConfigException(planesKey.Location, "'planes' chooses the YUV planes a chain filters: it needs space: yuv");
        bool all = root["planes"] is { } pn && pn.AsChoice("planes", ["y", "all"]) == "all";
        if (root["chain"] is YMapping perPlane)
        {
            if (space != PixelSpace.Yuv)
                throw new ConfigException(perPlane.Location, "a chain per plane (y:, u:, v:) needs space: yuv; with BGR frames the chain is a list");
            if (planesKey is not null)
                throw new ConfigException(planesKey.Location, "give 'planes:' or a chain per plane (y:, u:, v:), not both");
            perPlane.CheckKeys("a per-plane chain", PlaneKeys);
            return (space, ReadChain(perPlane["y"], dir), ReadChain(perPlane["u"], dir), ReadChain(perPlane["v"], dir));
        }
        var chain = ReadChain(root["chain"], dir);
        return (space, chain, all ? chain : [], all ? chain : []);
    }

    private static SourceSpec ReadSource(YNode node, string dir)
    {
        var map = node.AsMapping("source");
        map.CheckKeys("source", SourceKeys);
        var kinds = map.Entries.Where(e => SourceKinds.Contains(e.Key.Value)).ToList();
        if (kinds.Count == 0) throw new ConfigException(map.Location, "source needs one of: file, camera, images, pattern, url");
        if (kinds.Count > 1) throw new ConfigException(kinds[1].Key.Location, $"source has both '{kinds[0].Key.Value}' and '{kinds[1].Key.Value}'; give exactly one");
        var (kindKey, value) = kinds[0];
        string kind = kindKey.Value;
        if (kind != "camera")
            foreach (var k in kind == "images" ? new[] { "width", "height" } : new[] { "width", "height", "fps" })
                if (map.KeyNode(k) is { } key)
                    throw new ConfigException(key.Location, kind == "pattern"
                        ? $"'{k}' of a pattern goes inside it: pattern: {{{k}: ...}}"
                        : $"'{k}' only applies to a camera source");
        SourceSpec spec = kind switch
        {
            "file" => new FileSourceSpec(value.AsString("source file") is "-" ? "-" : Path.GetFullPath(value.AsString("source file"), dir)),
            "images" => new ImagesSourceSpec(Path.GetFullPath(value.AsString("source images"), dir)),
            "url" => new UrlSourceSpec(value.AsString("source url")),
            "camera" => new CameraSourceSpec(
                value.AsInt("camera", 0, 255),
                map["width"]?.AsInt("width", 1, 16384),
                map["height"]?.AsInt("height", 1, 16384),
                map["fps"] is { } f ? Positive(f, "fps", 1000) : null),
            _ => ReadPattern(value),
        };
        spec = spec with
        {
            Live = map["live"]?.AsBool("live"),
            Realtime = map["realtime"]?.AsBool("realtime") ?? false,
            Origin = Origin(map, value.Location),
        };
        return ReadMediaSourceKeys(map, spec);
    }

    private static PatternSourceSpec ReadPattern(YNode node)
    {
        if (node is YScalar { IsNull: true }) return new PatternSourceSpec();
        var map = node.AsMapping("pattern");
        map.CheckKeys("pattern", PatternKeys);
        var d = new PatternSourceSpec();
        return new PatternSourceSpec(
            map["width"]?.AsInt("pattern width", 1, 16384) ?? d.Width,
            map["height"]?.AsInt("pattern height", 1, 16384) ?? d.Height,
            map["fps"] is { } f ? Positive(f, "pattern fps", 1000) : d.Fps,
            map["frames"]?.AsInt("pattern frames", 1, int.MaxValue) ?? d.Frames);
    }

    private static double Positive(YNode node, string what, double max)
    {
        var v = node.AsNumber(what);
        if (v <= 0 || v > max) throw new ConfigException(node.Location, $"{what} must be above 0 and at most {max}, got {v}");
        return v;
    }

    private static IReadOnlyList<ChainStep> ReadChain(YNode? node, string dir)
    {
        if (node is null || node is YScalar { IsNull: true }) return [];
        var seq = node.AsSequence("chain");
        var steps = new List<ChainStep>();
        for (int i = 0; i < seq.Count; i++) steps.Add(new ChainStep(ReadStep(seq[i], dir), seq[i].Location));
        return steps;
    }

    /// <summary>
    /// One chain step: <c>filter: NAME|PATH</c> with overriding keys, a bare name, or an inline filter.
    /// An override that gives weights (kernel, generator, …) replaces all of the filter's own weight keys.
    /// </summary>
    public static FilterDefinition ReadStep(YNode node, string dir)
    {
        if (node is YScalar scalar)
        {
            var reference = scalar.AsString("chain step");
            return FilterLibrary.Load(reference, dir, node.Location);
        }
        var map = node.AsMapping("a chain step");
        if (map["filter"] is not { } filterNode)
            return FilterFileReader.Read(map, "inline");
        var name = filterNode.AsString("filter");
        var overrides = map.Entries.Where(e => e.Key.Value != "filter").ToList();
        var unknown = overrides.FirstOrDefault(e => !FilterFileKeys.All.Contains(e.Key.Value));
        if (unknown.Key is not null)
            throw new ConfigException(unknown.Key.Location, $"unknown key '{unknown.Key.Value}' in a chain step{NameSuggestions.Hint(unknown.Key.Value, [.. FilterFileKeys.All, "filter"])}");
        if (overrides.FirstOrDefault(e => FilterFileKeys.Geometric.Contains(e.Key.Value)) is { Key: { } geometric })
            throw new ConfigException(geometric.Location, $"'{geometric.Value}' is a chain step of its own; it cannot be combined with 'filter: {name}' (write it as the next list item)");
        var (baseMap, defaultName) = FilterLibrary.Open(name, dir, filterNode.Location);
        bool newWeights = overrides.Any(e => FilterFileKeys.KernelSources.Contains(e.Key.Value));
        var merged = baseMap.With(overrides, newWeights ? FilterFileKeys.IsWeightKey : null);
        return FilterFileReader.Read(merged, defaultName);
    }

    private static SinkSpec ReadSink(YNode node, int index, string dir)
    {
        string what = $"sink {index + 1}";
        if (node is YScalar s && s.Value is "discard" or "display")
            return (s.Value == "discard" ? (SinkSpec)new DiscardSinkSpec() : new DisplaySinkSpec("videoconv")) with { Origin = new SpecOrigin(node.Location) };
        var map = node.AsMapping(what);
        map.CheckKeys("a sink", SinkKeys);
        var kinds = map.Entries.Where(e => SinkKinds.Contains(e.Key.Value)).ToList();
        if (kinds.Count == 0) throw new ConfigException(map.Location, $"{what} needs one of: file, url, display, images, discard");
        if (kinds.Count > 1) throw new ConfigException(kinds[1].Key.Location, $"{what} has both '{kinds[0].Key.Value}' and '{kinds[1].Key.Value}'; write one sink per list item");
        var (key, value) = kinds[0];
        bool media = key.Value is "file" or "url";
        if (!media && MediaSinkKeys.Select(map.KeyNode).FirstOrDefault(k => k is not null) is { } mediaKey)
            throw new ConfigException(mediaKey.Location, $"'{mediaKey.Value}' only applies to a file or url sink");
        if (!media && map.KeyNode("codec") is { } codecKey)
            throw new ConfigException(codecKey.Location, "'codec' only applies to a file or url sink");
        if (key.Value != "file" && map.KeyNode("encoder") is { } encoderKey)
            throw new ConfigException(encoderKey.Location, "'encoder' only applies to a file sink");
        var encoder = FileEncoder.Auto;
        if (map["encoder"] is { } e)
            encoder = e.AsString("encoder") switch
            {
                "auto" => FileEncoder.Auto,
                "opencv" => FileEncoder.OpenCv,
                "ffmpeg" => FileEncoder.Ffmpeg,
                var other => throw new ConfigException(e.Location, $"unknown encoder '{other}'; use auto, opencv or ffmpeg"),
            };
        SinkSpec spec = key.Value switch
        {
            "file" => ReadMediaSinkKeys(map, new FileSinkSpec(value.AsString("sink file") is "-" ? "-" : Path.GetFullPath(value.AsString("sink file"), dir),
                map["codec"] is { } c ? Codec(c) : null) { Encoder = encoder }),
            // A url is handed to libavformat as it is written: never a path, never an option of a program.
            "url" => ReadMediaSinkKeys(map, new UrlSinkSpec(value.AsString("sink url"), map["codec"] is { } c ? Codec(c) : null)),
            "images" => new ImagesSinkSpec(Path.GetFullPath(value.AsString("sink images"), dir)),
            "display" => new DisplaySinkSpec(value is YScalar { IsNull: true } ? "videoconv" : value.AsString("display title")),
            _ => new DiscardSinkSpec(),
        };
        return spec with { Origin = Origin(map, value.Location) };
    }

    /// <summary>The part's origin: its value's place, and each of its keys' values' places (codec, encoder…).</summary>
    private static SpecOrigin Origin(YMapping map, SourceLocation at) =>
        new(at, map.Entries.ToDictionary(e => e.Key.Value, e => e.Value.Location, StringComparer.Ordinal));

    /// <summary>
    /// A codec's canonical spelling (FFV1 for ffv1); a near miss of a known one is a typo, said here with its fix. Any
    /// other name is kept for the validator, which explains it (H.264 is not bundled…) at the codec's line.
    /// </summary>
    private static string Codec(YNode node)
    {
        var codec = node.AsString("codec");
        var known = Codecs.Known.FirstOrDefault(k => string.Equals(k, codec, StringComparison.OrdinalIgnoreCase));
        if (known is not null) return known;
        if (NameSuggestions.Closest(codec, Codecs.Known).Count > 0)
            throw new ConfigException(node.Location, $"unknown codec '{codec}'{NameSuggestions.Hint(codec, Codecs.Known)} (known: {string.Join(", ", Codecs.Known)})");
        return codec;
    }

    // ---- Media keys (the media layer's: docs/media.md) -------------------------------------------------

    private static MediaSinkSpec ReadMediaSinkKeys(YMapping map, MediaSinkSpec spec)
    {
        if (map["codec_options"] is { } o)
        {
            var options = new Dictionary<string, string>();
            foreach (var (k, v) in o.AsMapping("codec_options").Entries)
                options[k.Value] = v.AsString($"codec_options {k.Value}");
            spec = spec with { CodecOptions = options };
        }
        return spec with
        {
            Crf = map["crf"] is { } crf ? crf.AsNumber("crf") : null,
            Preset = map["preset"]?.AsString("preset"),
            Bitrate = map["bitrate"]?.AsString("bitrate"),
            Gop = map["gop"]?.AsInt("gop", 1, 100_000),
            Audio = map["audio"] is { } a ? a.AsChoice("audio", ["copy", "encode", "drop"]) switch
            {
                "copy" => AudioMode.Copy,
                "encode" => AudioMode.Encode,
                _ => AudioMode.Drop,
            } : AudioMode.Auto,
            Format = map["format"]?.AsString("format"),
        };
    }

    private static SourceSpec ReadMediaSourceKeys(YMapping map, SourceSpec spec)
    {
        if (spec is ImagesSourceSpec images && map["fps"] is { } fps) spec = images with { Fps = Positive(fps, "fps", 1000) };
        var trim = MediaSourceKeys.Select(map.KeyNode).FirstOrDefault(k => k is not null);
        if (trim is null) return spec;
        if (spec is not FileSourceSpec file) throw new ConfigException(trim.Location, $"'{trim.Value}' only applies to a file source");
        if (map.KeyNode("duration") is { } dk && map.KeyNode("end") is not null)
            throw new ConfigException(dk.Location, "give duration or end, not both");
        var start = map["start"] is { } s ? Time(s, "start") : (TimeSpan?)null;
        var duration = map["duration"] is { } d ? Time(d, "duration") : (TimeSpan?)null;
        if (map["end"] is { } e)
        {
            var end = Time(e, "end");
            if (end <= (start ?? TimeSpan.Zero)) throw new ConfigException(e.Location, $"end {end} is not after start {start ?? TimeSpan.Zero}");
            duration = end - (start ?? TimeSpan.Zero);
        }
        if (duration is { } dd && dd <= TimeSpan.Zero) throw new ConfigException(map["duration"]!.Location, "duration must be above 0");
        return file with { Start = start, Duration = duration };
    }

    // Seconds (12.5) or [HH:]MM:SS[.mmm], as ffmpeg's -ss.
    private static TimeSpan Time(YNode node, string what)
    {
        string text = node.AsString(what).Trim();
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
            && seconds >= 0 && seconds < 1e7)
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        var parts = text.Split(':');
        if (parts.Length is 2 or 3 && parts.All(p => p.Length > 0)
            && double.TryParse(parts[^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double sec) && sec is >= 0 and < 60
            && parts[..^1].All(p => int.TryParse(p, out int v) && v >= 0) && int.Parse(parts[^2]) < 60)
        {
            int h = parts.Length == 3 ? int.Parse(parts[0]) : 0, m = int.Parse(parts[^2]);
            return TimeSpan.FromHours(h) + TimeSpan.FromMinutes(m) + TimeSpan.FromTicks((long)Math.Round(sec * TimeSpan.TicksPerSecond));
        }
        throw new ConfigException(node.Location, $"{what} must be seconds (12.5) or HH:MM:SS.mmm, got '{text}'");
    }
}
