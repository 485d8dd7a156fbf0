using System.CommandLine;
using System.Reflection;
using VideoConv.Cli.Terminal;
using VideoConv.Cli.Verbs;
using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Pipeline.Imaging;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.CommandLine;

/// <summary>Parses <c>videoconv VERB …</c> with System.CommandLine and turns every error into one message and an exit code.</summary>
public static class VideoconvApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;
    public const int Interrupted = 130;

    /// <summary>The informational version without the source-control suffix (<c>1.2.0</c>, not <c>1.2.0+abc123</c>).</summary>
    public static string Version =>
        (typeof(VideoconvApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(VideoconvApp).Assembly.GetName().Version?.ToString() ?? "0").Split('+')[0];

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var tree = new CommandTree(VerbRegistry.All, InvokeVerbAsync);
        if (args.Length == 0)
        {
            Console.Error.Write(HelpText.Overview(tree.Verbs));
            return BadUsage;
        }
        if (args[0] == "help") args = args.Length > 1 ? [args[1], "--help"] : ["--help"];
        var result = tree.Root.Parse(args);
        if (result.Errors.Count > 0 && result.Action is not { ClearsParseErrors: true })
            return ReportUsage(tree, result);
        var invocation = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Ctrl+C is ours (SignalCancellation: first press finalizes outputs, second quits).
            ProcessTerminationTimeout = null,
        };
        return await result.InvokeAsync(invocation, cancellationToken);
    }

    private static async Task<int> InvokeVerbAsync(VerbDefinition verb, ParsedArguments args, CancellationToken cancellationToken)
    {
        try
        {
            return await verb.Handler(args, cancellationToken);
        }
        catch (Exception ex)
        {
            return Report(verb.Name, ex, args.Flag("verbose"));
        }
    }

    /// <summary>A command line System.CommandLine refused, as one <c>videoconv VERB: error: …</c> line.</summary>
    private static int ReportUsage(CommandTree tree, ParseResult result)
    {
        var verb = tree.VerbOf(result);
        var unmatched = result.UnmatchedTokens.FirstOrDefault();
        if (verb is null)
        {
            var word = unmatched ?? result.Tokens.FirstOrDefault()?.Value ?? "";
            var message = word.StartsWith('-')
                ? $"unknown option '{word}'{NameSuggestions.Hint(word.TrimStart('-'), ["help", "version"], "--")}"
                : $"unknown command '{word}'{NameSuggestions.Hint(word, tree.Verbs.Select(v => v.Name))}";
            Console.Error.WriteLine($"videoconv: error: {message}");
            Console.Error.WriteLine("Run 'videoconv --help' for the list of commands.");
            return BadUsage;
        }
        string text;
        if (unmatched is not null && unmatched.StartsWith('-') && unmatched != "-")
            text = $"unknown option '{unmatched}'{NameSuggestions.Hint(unmatched.TrimStart('-').Split('=')[0], verb.Options.Select(o => o.Name), "--")}";
        else if (unmatched is not null)
            text = $"unexpected argument '{unmatched}'";
        else
            text = Describe(result.Errors[0], verb);
        return Report(verb.Name, new UsageException(text), verbose: false);
    }

    /// <summary>A parse error in our words where we know the symbol (a missing argument, an option without its value).</summary>
    private static string Describe(System.CommandLine.Parsing.ParseError error, VerbDefinition verb)
    {
        switch (error.SymbolResult)
        {
            case System.CommandLine.Parsing.OptionResult o when o.Tokens.Count == 0:
                var spec = verb.Options.FirstOrDefault(s => $"--{s.Name}" == o.Option.Name);
                if (spec is not null) return $"--{spec.Name} needs a value: --{spec.Name} {spec.ValueName}";
                break;
            case System.CommandLine.Parsing.ArgumentResult a when a.Tokens.Count == 0:
                return $"missing {a.Argument.Name}";
            case System.CommandLine.Parsing.CommandResult when verb.Arguments.FirstOrDefault(a => !a.Optional) is { } first:
                return $"missing {first.Name}";
        }
        return error.Message.TrimEnd('.');
    }

    /// <summary>"STAGE: message", without repeating a stage the message already names.</summary>
    public static string StageMessage(PipelineStageException ex) =>
        ex.Message.StartsWith(ex.Stage, StringComparison.Ordinal) ? ex.Message : $"{ex.Stage}: {ex.Message}";

    /// <summary>Prints <paramref name="ex"/> as one message (plus the stack trace with --verbose) and picks the exit code.</summary>
    public static int Report(string verb, Exception ex, bool verbose)
    {
        var error = Console.Error;
        int code;
        switch (ex)
        {
            case UsageException u:
                error.WriteLine($"videoconv {verb}: error: {u.Message}");
                error.WriteLine($"Run 'videoconv {verb} --help' for usage.");
                code = BadUsage;
                break;
            case ConfigException c:
                error.WriteLine(c.Formatted);
                code = BadUsage;
                break;
            case PipelineSpecException p:
                error.WriteLine($"videoconv: error: {p.Subject}: {p.Message}");
                code = BadUsage;
                break;
            case FilterDefinitionException f:
                error.WriteLine($"videoconv: error: {f.Message}");
                code = BadUsage;
                break;
            case PipelineStageException s:
                error.WriteLine($"videoconv: error: {StageMessage(s)}");
                code = Failure;
                break;
            case OperationCanceledException:
                error.WriteLine("videoconv: interrupted");
                code = Interrupted;
                break;
            case VideoConv.Pipeline.Files.OutputRefusedException o:
                error.WriteLine($"videoconv: error: {o.Message}");
                code = BadUsage;
                break;
            case IOException io:
                // A failed read or write names its file and cause in one line ("FILE: no space left on device").
                error.WriteLine($"videoconv: error: {io.Message}");
                code = Failure;
                break;
            case InputFileException i:
                error.WriteLine($"videoconv: error: {i.Message}");
                code = i.ExitCode;
                break;
            default:
                error.WriteLine($"videoconv: error: {ex.Message}");
                if (!verbose) error.WriteLine("(run with --verbose for details)");
                code = Failure;
                break;
        }
        if (verbose && ex is not UsageException) error.WriteLine(ex.ToString());
        return code;
    }
}
