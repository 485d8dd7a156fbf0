namespace VideoConv.Pipeline.Sources;

/// <summary>
/// The source stopped delivering before its declared end (a truncated or damaged file). Unlike other source
/// errors, the frames read before the break are kept: the stream ends normally, outputs are finalized, and
/// the run then fails with this message.
/// </summary>
internal sealed class SourceBrokeException(string message, long framesRead) : IOException(message)
{
    /// <summary>Frames delivered before the break (all of them reached the sinks).</summary>
    public long FramesRead { get; } = framesRead;
}
