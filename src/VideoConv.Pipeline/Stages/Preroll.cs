using VideoConv.Pipeline.Sinks;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// The run's start, as GStreamer prerolls before PLAYING: the source opens and announces the format the chain
/// will hand the sinks; every sink prepares for it on its own thread (a window mapped, an encoder opened); only
/// then does the source read its first frame. A live source's early frames wait in its own buffer (the FIFO,
/// the driver) rather than in our queues, where a sink still setting up would have them dropped as late.
/// </summary>
/// <param name="streaming">Called when the source goes on to its first frame (the run's clock starts there).</param>
internal sealed class Preroll(int sinks, Action streaming)
{
    private readonly TaskCompletionSource<SinkFormat?> _format = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CountdownEvent _prepared = new(sinks);   // not disposed: an abandoned source may still wait on it

    /// <summary>What the sinks will get once the source is open, or null when it is not known (the chain failed to build, or the source never opened).</summary>
    public void Announce(SinkFormat? format) => _format.TrySetResult(format);

    public SinkFormat? AwaitFormat(CancellationToken cancellationToken)
    {
        _format.Task.Wait(cancellationToken);
        return _format.Task.Result;
    }

    /// <summary>One sink is ready. A sink that fails to prepare never calls this: it fails the run, and the failure cancels <see cref="AwaitSinks"/>.</summary>
    public void SinkPrepared() => _prepared.Signal();

    public void AwaitSinks(CancellationToken cancellationToken)
    {
        _prepared.Wait(cancellationToken);
        streaming();
    }
}
