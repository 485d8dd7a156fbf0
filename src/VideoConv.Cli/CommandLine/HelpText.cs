using System.Text;

namespace VideoConv.Cli.CommandLine;

/// <summary>The text of <c>videoconv --help</c> and <c>videoconv VERB --help</c>.</summary>
public static class HelpText
{
    public static string Overview(IReadOnlyList<VerbDefinition> verbs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("videoconv — real-time video convolution filters");
        sb.AppendLine();
        sb.AppendLine("Usage: videoconv COMMAND [ARGS] [OPTIONS]");
        sb.AppendLine();
        sb.AppendLine("Commands:");
        int width = verbs.Max(v => v.Name.Length) + 2;
        foreach (var v in verbs) sb.AppendLine($"  {v.Name.PadRight(width)}{v.Summary}");
        sb.AppendLine();
        sb.AppendLine("Run 'videoconv COMMAND --help' for a command's arguments and options, 'videoconv --version' for the version.");
        sb.AppendLine("Shell completion: eval \"$(videoconv completion bash)\" (or zsh, fish).");
        sb.AppendLine("Exit codes: 0 success, 1 failure while processing, 2 bad usage or bad config, 130 interrupted.");
        sb.AppendLine("Config and filter-file reference: docs/config.md");
        return sb.ToString();
    }

    public static string ForVerb(VerbDefinition verb)
    {
        var sb = new StringBuilder();
        sb.AppendLine(verb.Summary);
        sb.AppendLine();
        var args = string.Join(' ', verb.Arguments.Select(a => a.Many ? $"{a.Name}..." : a.Optional ? $"[{a.Name}]" : a.Name));
        sb.AppendLine($"Usage: videoconv {verb.Name}{(args.Length > 0 ? " " + args : "")}{(verb.Options.Count > 0 ? " [OPTIONS]" : "")}");
        if (verb.Arguments.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Arguments:");
            int w = verb.Arguments.Max(a => a.Name.Length) + 2;
            foreach (var a in verb.Arguments) sb.AppendLine($"  {a.Name.PadRight(w)}{a.Help}");
        }
        sb.AppendLine();
        sb.AppendLine("Options:");
        var rows = verb.Options.Select(o => (Left: $"--{o.Name}{(o.Alias is null ? "" : $", -{o.Alias}")}{(o.IsFlag ? "" : $" {o.ValueName}")}", Help: o.Help + (o.Repeatable && !o.Help.Contains("repeatable", StringComparison.OrdinalIgnoreCase) ? " (repeatable)" : "")))
            .Append((Left: "-h, --help", Help: "Show this help"))
            .Append((Left: "@FILE", Help: "Read more arguments from FILE, one per line (a response file)"))
            .ToList();
        int width = rows.Max(r => r.Left.Length) + 2;
        foreach (var (left, help) in rows) sb.AppendLine($"  {left.PadRight(width)}{help}");
        if (verb.Details is not null)
        {
            sb.AppendLine();
            sb.AppendLine(verb.Details.TrimEnd());
        }
        return sb.ToString();
    }
}
