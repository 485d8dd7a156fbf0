using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Verbs;

/// <summary>Options several verbs share, written once so their names and help read the same everywhere.</summary>
internal static class CommonOptions
{
    public const int MaxThreads = 256;

    public static OptionSpec Threads { get; } = new("threads", "N", "Threads for the filter chain (default: the config's threads:, else one per core)");
    public static OptionSpec Quiet { get; } = new("quiet", null, "Print errors only: no progress, notes, warnings or summary", Alias: "q");
    public static OptionSpec Verbose { get; } = new("verbose", null, "More detail: -v adds what runs and stack traces on errors, -vv also the native libraries' own log lines", Alias: "v");

    /// <summary>--threads, else the config's <c>threads:</c>, else null (one per core).</summary>
    public static int? ThreadsFrom(ParsedArguments args, int? configured) => args.Int("threads", 1, MaxThreads) ?? configured;
}

/// <summary>How much a verb says on stderr: <c>-q</c> errors only, default notes and warnings, <c>-v</c>/<c>-vv</c> more.</summary>
internal readonly record struct Verbosity(bool Quiet, int Level)
{
    public static Verbosity From(ParsedArguments args) => new(args.Flag("quiet"), args.Count("verbose"));

    public bool Verbose => Level > 0 && !Quiet;

    /// <summary>A note or warning line (suppressed by --quiet).</summary>
    public void Say(string line)
    {
        if (!Quiet) Console.Error.WriteLine(line);
    }
}
