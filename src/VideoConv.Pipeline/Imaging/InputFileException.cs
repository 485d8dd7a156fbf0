namespace VideoConv.Pipeline.Imaging;

/// <summary>An input or output file the command cannot use (missing, unreadable, unsupported format).</summary>
public sealed class InputFileException(string message, int exitCode = 2) : Exception(message)
{
    /// <summary>2 for a user's mistake (missing file, unsupported type), 1 for a failure while processing.</summary>
    public int ExitCode { get; } = exitCode;
}
