namespace VideoConv.Pipeline.Stages;

/// <summary>
/// The run's two ways to end early, shared by all stages. <b>Stop</b> (cancellation, or <c>q</c> in a display)
/// ends the source; queued frames drain and outputs are finalized. <b>Fail</b> records the first failing
/// stage and its exception and cancels every stage; outputs are abandoned.
/// </summary>
internal sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _fail = new();
    private readonly CancellationTokenSource _sourceToken;
    private (string Stage, Exception Error)? _failure;
    private readonly Lock _gate = new();

    public RunControl(CancellationToken external)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(external);
        _sourceToken = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _fail.Token);
    }

    /// <summary>Cancelled on stop or failure: the source watches this.</summary>
    public CancellationToken SourceToken => _sourceToken.Token;

    /// <summary>Cancelled only on failure: downstream stages keep draining through a stop.</summary>
    public CancellationToken FailToken => _fail.Token;

    /// <summary>Cancelled only on stop.</summary>
    public CancellationToken StopToken => _stop.Token;

    public bool StopRequested => _stop.IsCancellationRequested;

    public (string Stage, Exception Error)? Failure
    {
        get { lock (_gate) return _failure; }
    }

    public bool Failed => Failure is not null;

    public void RequestStop()
    {
        try { _stop.Cancel(); }
        catch (ObjectDisposedException) { /* the run already ended */ }
    }

    /// <summary>Records <paramref name="error"/> unless an earlier failure is recorded (that one is the cause), then cancels all stages.</summary>
    public void Fail(string stage, Exception error)
    {
        lock (_gate)
        {
            if (_failure is not null) return;
            _failure = (stage, error);
        }
        _fail.Cancel();
    }

    public void Dispose()
    {
        _sourceToken.Dispose();
        _stop.Dispose();
        _fail.Dispose();
    }
}
