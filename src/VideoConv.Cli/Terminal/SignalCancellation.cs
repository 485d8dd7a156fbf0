using System.Runtime.InteropServices;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM cancel the token so the pipeline can finalize its outputs; a second
/// signal exits at once.
/// </summary>
public sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    public SignalCancellation()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we stop in order instead of the runtime's default termination
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("videoconv: stopping, finishing outputs (press Ctrl+C again to quit at once)");
            _cts.Cancel();
            return;
        }
        // Quitting at once: outputs cannot be finalized, so their partial files go (destinations were never touched).
        VideoConv.Pipeline.Sinks.PartialFiles.DeleteAll();
        Environment.Exit(130);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
