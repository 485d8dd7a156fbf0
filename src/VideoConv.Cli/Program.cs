using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Terminal;

namespace VideoConv.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        NativeLogging.QuietUnlessVerbose(args);
        VideoConv.Pipeline.Imaging.OpenCvLibrary.FindBesideProgram();
        using var signals = new SignalCancellation();
        return await VideoconvApp.RunAsync(args, signals.Token);
    }
}
