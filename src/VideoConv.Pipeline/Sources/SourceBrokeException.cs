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

    /// <summary>Decoding ended at <paramref name="read"/> frames, well short of the <paramref name="declared"/> the container announces.</summary>
    public static SourceBrokeException DeclaredMore(string what, long read, long declared) => new(
        $"{what} broke at frame {read}: its container declares {declared} frames but decoding stopped there (truncated or damaged); the {read} frames before the break were kept",
        read);
}
