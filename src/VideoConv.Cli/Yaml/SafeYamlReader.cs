using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace VideoConv.Cli.Yaml;

/// <summary>
/// Reads one YAML document into a located node tree, refusing what a hostile file could use to exhaust
/// the process: documents over <see cref="MaxBytes"/>, nesting deeper than <see cref="MaxDepth"/>, more
/// than <see cref="MaxNodes"/> nodes, and aliases (so "billion laughs" expansion cannot happen at all).
/// </summary>
public static class SafeYamlReader
{
    /// <summary>Largest file accepted. Real configs and filter files are a few kilobytes.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>Deepest nesting accepted; conv2d weights need 4 levels inside a chain step (about 8 in all).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most nodes accepted; a 255x255 kernel is 65k scalars.</summary>
    public const int MaxNodes = 500_000;

    /// <summary>Reads <paramref name="path"/>; missing or oversized files are located errors at 1:1.</summary>
    public static YNode ReadFile(string path, string? displayName = null)
    {
        var name = displayName ?? path;
        var at = new SourceLocation(name, 1, 1);
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
                throw new ConfigException(at, Directory.Exists(path) ? $"'{name}' is a folder, not a YAML file" : $"file '{name}' does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException(at, $"cannot read '{path}': {ex.Message}");
        }
        if (info.Length > MaxBytes)
            throw new ConfigException(at, $"file is {info.Length} bytes, over the {MaxBytes} byte limit for a YAML file");
        // The length a device or FIFO reports is 0: the limit is enforced again on the bytes read.
        return ReadText(Config.BoundedFile.ReadText(path, MaxBytes, at, "a YAML file"), name);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="name"/> is what locations call the file.</summary>
    public static YNode ReadText(string text, string name)
    {
        if (text.Length > MaxBytes)
            throw new ConfigException(new SourceLocation(name, 1, 1), $"document is {text.Length} characters, over the {MaxBytes} limit for a YAML file");
        var last = new SourceLocation(name, 1, 1);
        try
        {
            return Build(new Parser(new StringReader(text)), name, ref last);
        }
        catch (YamlException ex)
        {
            var message = ex.Message;
            // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the location is ours to print.
            int cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && cut > 0) message = message[(cut + 3)..];
            throw new ConfigException(Locate(name, ex.Start), $"invalid YAML: {message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner throws these on some malformed input (e.g. an unclosed flow mapping at the end of
            // the file) instead of a YamlException; the last event we saw is the best position we have.
            throw new ConfigException(last, "invalid YAML after this point (an unclosed bracket or brace?)", ex);
        }
    }

    private static SourceLocation Locate(string name, Mark mark) => new(name, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    // Iterative on purpose: a document nested 100 000 deep must be refused, not overflow the stack.
    private static YNode Build(IParser parser, string name, ref SourceLocation last)
    {
        var stack = new Stack<Frame>();
        YNode? root = null;
        int nodes = 0, documents = 0;
        while (parser.MoveNext())
        {
            var ev = parser.Current!;
            var at = last = Locate(name, ev.Start);
            switch (ev)
            {
                case StreamStart or StreamEnd or DocumentEnd:
                    continue;
                case DocumentStart:
                    if (++documents > 1) throw new ConfigException(at, "a file holds one YAML document; found a second one (after '---')");
                    continue;
                case AnchorAlias alias:
                    throw new ConfigException(at, $"aliases (*{alias.Value}) are not allowed: write the value out in full");
            }
            if (++nodes > MaxNodes) throw new ConfigException(at, $"document has more than {MaxNodes} nodes");
            YNode? completed = null;
            switch (ev)
            {
                case Scalar s:
                    completed = new YScalar(at, s.Value, s.Style is ScalarStyle.Plain or ScalarStyle.Any);
                    break;
                case SequenceStart:
                case MappingStart:
                    if (stack.Count >= MaxDepth) throw new ConfigException(at, $"nesting deeper than {MaxDepth} levels");
                    stack.Push(new Frame(at, ev is MappingStart));
                    continue;
                case SequenceEnd:
                case MappingEnd:
                    var frame = stack.Pop();
                    completed = frame.IsMapping
                        ? new YMapping(frame.Location, frame.Entries)
                        : new YSequence(frame.Location, frame.Items);
                    break;
            }
            if (completed is null) continue;
            if (stack.Count == 0)
            {
                root = completed;
                continue;
            }
            stack.Peek().Add(completed);
        }
        return root ?? new YMapping(new SourceLocation(name, 1, 1), []);
    }

    private sealed class Frame(SourceLocation location, bool isMapping)
    {
        public SourceLocation Location { get; } = location;
        public bool IsMapping { get; } = isMapping;
        public List<YNode> Items { get; } = [];
        public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal); // a linear scan would make 100k keys quadratic
        private YScalar? _pendingKey;

        public void Add(YNode node)
        {
            if (!IsMapping)
            {
                Items.Add(node);
                return;
            }
            if (_pendingKey is null)
            {
                if (node is not YScalar key) throw new ConfigException(node.Location, "mapping keys must be plain names, not lists or mappings");
                if (!_keys.Add(key.Value))
                    throw new ConfigException(key.Location, $"key '{key.Value}' appears twice in this mapping");
                _pendingKey = key;
                return;
            }
            Entries.Add(new(_pendingKey, node));
            _pendingKey = null;
        }
    }
}
