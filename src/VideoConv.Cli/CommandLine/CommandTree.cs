using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;

namespace VideoConv.Cli.CommandLine;

/// <summary>
/// The System.CommandLine tree built from the verbs' <see cref="VerbDefinition"/>s: one subcommand per verb,
/// our help text on <c>-h/--help</c>, <c>--version</c>, the <c>[suggest]</c> directive and <c>@response</c> files
/// (both System.CommandLine defaults). Adding a verb or an option never touches this file.
/// </summary>
internal sealed class CommandTree
{
    private readonly Dictionary<Command, VerbDefinition> _verbs = [];

    public RootCommand Root { get; }
    public IReadOnlyList<VerbDefinition> Verbs { get; }

    public CommandTree(IReadOnlyList<VerbDefinition> verbs, Func<VerbDefinition, ParsedArguments, CancellationToken, Task<int>> invoke)
    {
        Verbs = verbs;
        Root = new RootCommand("videoconv — real-time video convolution filters");
        foreach (var verb in verbs)
        {
            var command = new Command(verb.Name, verb.Summary);
            var symbols = new Dictionary<string, Symbol>(StringComparer.Ordinal);
            foreach (var a in verb.Arguments)
            {
                Argument argument = a.Many
                    ? new Argument<string[]>(a.Name) { Arity = a.Optional ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore }
                    : new Argument<string>(a.Name) { Arity = a.Optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne };
                argument.Description = a.Help;
                if (a.Completions is { } values) argument.CompletionSources.Add(_ => values());
                command.Arguments.Add(argument);
                symbols[a.Name] = argument;
            }
            foreach (var o in verb.Options)
            {
                string[] aliases = o.Alias is null ? [] : [$"-{o.Alias}"];
                Option option = o.IsFlag ? new Option<bool>($"--{o.Name}", aliases) { Arity = ArgumentArity.Zero }
                    : o.Repeatable ? new Option<string[]>($"--{o.Name}", aliases) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false }
                    : new Option<string>($"--{o.Name}", aliases) { Arity = ArgumentArity.ExactlyOne };
                option.Description = o.Help;
                option.HelpName = o.ValueName;
                if (o.Completions is { } values) option.CompletionSources.Add(_ => values());
                command.Options.Add(option);
                symbols[o.Name] = option;
            }
            command.SetAction((result, ct) => invoke(verb, new ParsedArguments(verb, result, symbols), ct));
            Root.Subcommands.Add(command);
            _verbs[command] = verb;
        }
        foreach (var help in Root.Options.OfType<HelpOption>()) help.Action = new HelpTextAction(this);
        foreach (var version in Root.Options.OfType<VersionOption>()) version.Action = new VersionAction();
    }

    /// <summary>The verb a parse ended in; null for the root (no verb).</summary>
    public VerbDefinition? VerbOf(ParseResult result) => _verbs.GetValueOrDefault(result.CommandResult.Command);

    /// <summary>Our help text (<see cref="HelpText"/>) for the verb the help option was given to.</summary>
    private sealed class HelpTextAction(CommandTree tree) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var verb = tree.VerbOf(parseResult);
            Console.Out.Write(verb is null ? HelpText.Overview(tree.Verbs) : HelpText.ForVerb(verb));
            return VideoconvApp.Success;
        }
    }

    private sealed class VersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine($"videoconv {VideoconvApp.Version}");
            return VideoconvApp.Success;
        }
    }
}
