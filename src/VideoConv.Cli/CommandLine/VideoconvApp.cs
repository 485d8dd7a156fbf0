using VideoConv.Cli.Terminal;
using VideoConv.Cli.Verbs;
using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.CommandLine;

/// <summary>Dispatches <c>videoconv VERB …</c> and turns every error into one message and an exit code.</summary>
public static class VideoconvApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verbs = VerbRegistry.All;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            if (args.Length > 1 && verbs.FirstOrDefault(v => v.Name == args[1]) is { } target)
            {
                Console.Out.Write(HelpText.ForVerb(target));
                return Success;
            }
            (args.Length == 0 ? Console.Error : Console.Out).Write(HelpText.Overview(verbs));
            return args.Length == 0 ? BadUsage : Success;
        }
        if (args[0] == "--version")
        {
            Console.Out.WriteLine($"videoconv {typeof(VideoconvApp).Assembly.GetName().Version}");
            return Success;
        }
        var verb = verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            var hint = NameSuggestions.Hint(args[0], verbs.Select(v => v.Name));
            Console.Error.WriteLine($"videoconv: error: unknown command '{args[0]}'{hint}");
            Console.Error.WriteLine("Run 'videoconv --help' for the list of commands.");
            return BadUsage;
        }
        var rest = args.Skip(1).ToList();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Console.Out.Write(HelpText.ForVerb(verb));
            return Success;
        }
        bool verbose = rest.Contains("--verbose") || rest.Contains("-v");
        try
        {
            var parsed = ParsedArguments.Parse(verb, rest);
            return await verb.Handler(parsed, cancellationToken);
        }
        catch (Exception ex)
        {
            return Report(verb.Name, ex, verbose);
        }
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
