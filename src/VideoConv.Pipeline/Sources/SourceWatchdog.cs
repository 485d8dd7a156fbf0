using System.Diagnostics;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sources;

/// <summary>A source whose blocking read (or connect) can be broken from another thread, e.g. by killing the process it reads from.</summary>
internal interface IInterruptibleSource
{
    /// <summary>Makes a blocked <see cref="IFrameSource.Open"/> or <see cref="IFrameSource.Read"/> return (with an error or false) soon.</summary>
    void Interrupt();
}

/// <summary>
/// Keeps a live source going: a read that delivers nothing for <see cref="LiveSourcePolicy.StallTimeout"/> is a
/// stall (the source is interrupted); a stall, an error or an end of stream drops the source and reconnects
/// with doubling back-off, reporting each attempt; identical frames for <see cref="LiveSourcePolicy.FrozenAfter"/>
/// are reported as a frozen feed. When every attempt fails the source breaks: frames so far are kept.
/// </summary>
internal sealed class SourceWatchdog : IFrameSource
{
    private const int SampleCount = 1024;   // bytes compared per frame to spot a frozen feed

    private readonly Func<IFrameSource> _connect;
    private readonly string _what;
    private readonly LiveSourcePolicy _policy;
    private readonly Action<string> _warn;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private IFrameSource? _inner;
    private long _armedId;             // which read/connect the timer watches; 0 when disarmed
    private long _nextId;
    private bool _stalled;             // the timer fired for the current read/connect
    private long _delivered;
    private readonly byte[] _sample = new byte[SampleCount];
    private bool _haveSample;
    private long _lastChange;
    private bool _frozenReported;
    private bool _firstFrame;

    private readonly bool _endIsLoss;

    /// <param name="endIsLoss">True when the source never ends on its own (a camera), so an end of stream is a loss to reconnect; false when a clean end is the end (a url to a finite stream).</param>
    public SourceWatchdog(Func<IFrameSource> connect, string what, LiveSourcePolicy policy, Action<string>? warn, bool endIsLoss)
    {
        _endIsLoss = endIsLoss;
        _connect = connect;
        _what = what;
        _policy = policy;
        _warn = warn ?? (_ => { });
        _timer = new Timer(_ => OnTimer());
    }

    public ImageFormat Format { get; private set; }
    public double Fps { get; private set; }
    public long? TotalFrames => null;

    /// <summary>Reconnections that succeeded (for tests and statistics).</summary>
    public int Reconnects { get; private set; }

    public void Open(CancellationToken cancellationToken)
    {
        // The first connection is not retried: a feed that is not there at the start is a clear error.
        try { _inner = Connect(cancellationToken); }
        catch (TimeoutException ex) { throw new TimeoutException($"{_what}: {ex.Message}", ex); }
        Format = _inner.Format;
        Fps = _inner.Fps;
    }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            string reason;
            // The first frame after a connect is part of connecting (a stream decoder probes first).
            var timeout = _firstFrame ? _policy.ConnectTimeout : _policy.StallTimeout;
            try
            {
                bool got = Watched(timeout, () => _inner!.Read(frame, cancellationToken), out bool stalled);
                if (got && !stalled)
                {
                    _firstFrame = false;
                    _delivered++;
                    CheckFrozen(frame.Image.Data);
                    return true;
                }
                if (!stalled && !_endIsLoss) return false;
                reason = stalled ? $"no frame for {timeout.TotalSeconds:0.#} s" : "the stream ended";
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not SourceBrokeException)
            {
                reason = StalledNow() ? $"no frame for {timeout.TotalSeconds:0.#} s" : ex.Message;
            }
            cancellationToken.ThrowIfCancellationRequested();
            Reconnect(reason, cancellationToken);
        }
    }

    private void Reconnect(string reason, CancellationToken ct)
    {
        _inner?.Dispose();
        _inner = null;
        var delay = _policy.FirstBackoff;
        for (int attempt = 1; attempt <= _policy.MaxReconnects; attempt++)
        {
            _warn($"{_what}: {reason}; reconnecting (attempt {attempt} of {_policy.MaxReconnects}) in {delay.TotalSeconds:0.#} s");
            if (ct.WaitHandle.WaitOne(delay)) ct.ThrowIfCancellationRequested();
            try
            {
                var inner = Connect(ct);
                if (inner.Format != Format)
                {
                    inner.Dispose();
                    throw new InvalidOperationException($"{_what} came back as {inner.Format}, not {Format}");
                }
                _inner = inner;
                Reconnects++;
                _haveSample = false;
                _warn($"{_what}: reconnected after {attempt} attempt(s); frames continue from {_delivered}");
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                reason = ex.Message;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _policy.MaxBackoff.Ticks));
        }
        throw new SourceBrokeException(
            $"{_what} was lost after {_delivered} frames and {_policy.MaxReconnects} reconnection attempts failed (last: {reason}); the frames before were kept",
            _delivered);
    }

    // Opens a new inner source under the connect timeout.
    private IFrameSource Connect(CancellationToken ct)
    {
        var inner = _connect();
        _firstFrame = true;
        try
        {
            lock (_gate) _pending = inner;
            bool stalled;
            try { Watched(_policy.ConnectTimeout, () => { inner.Open(ct); return true; }, out stalled); }
            catch (Exception) when (StalledNow())
            {
                stalled = true;   // the error is the interruption's (ffprobe killed), not the cause
            }
            if (stalled) throw new TimeoutException($"no stream within {_policy.ConnectTimeout.TotalSeconds:0.#} s of connecting");
            return inner;
        }
        catch
        {
            inner.Dispose();
            throw;
        }
        finally
        {
            lock (_gate) _pending = null;
        }
    }

    private IFrameSource? _pending;   // the source being connected, which the timer may interrupt

    // Runs a blocking call with the timer armed; a timer that fires interrupts the source and marks the call stalled.
    private bool Watched(TimeSpan timeout, Func<bool> call, out bool stalled)
    {
        lock (_gate)
        {
            _stalled = false;
            _armedId = ++_nextId;
            _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        }
        try { return call(); }
        finally
        {
            lock (_gate)
            {
                _armedId = 0;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
                stalled = _stalled;
            }
        }
    }

    private bool StalledNow()
    {
        lock (_gate) return _stalled;
    }

    private void OnTimer()
    {
        IFrameSource? target;
        lock (_gate)
        {
            if (_armedId == 0) return;   // the call finished just before the timer fired
            target = _pending ?? _inner;
            // A source that cannot be interrupted (a V4L2 camera: its driver times out on its own) is left to
            // finish its read, which then counts as delivered.
            if (target is not IInterruptibleSource) return;
            _stalled = true;
        }
        ((IInterruptibleSource)target).Interrupt();
    }

    // Compares a fixed spread of bytes with the previous frame's: cheap, no allocation.
    private void CheckFrozen(byte[] pixels)
    {
        long now = Stopwatch.GetTimestamp();
        int step = Math.Max(1, pixels.Length / SampleCount);
        bool same = _haveSample;
        for (int i = 0, p = 0; i < SampleCount && p < pixels.Length; i++, p += step)
        {
            if (_sample[i] != pixels[p]) { same = false; _sample[i] = pixels[p]; }
        }
        if (!_haveSample || !same)
        {
            _haveSample = true;
            _lastChange = now;
            if (_frozenReported) _warn($"{_what}: the feed is moving again");
            _frozenReported = false;
            return;
        }
        if (!_frozenReported && Stopwatch.GetElapsedTime(_lastChange, now) >= _policy.FrozenAfter)
        {
            _frozenReported = true;
            _warn($"{_what}: frozen feed: identical frames for {_policy.FrozenAfter.TotalSeconds:0.#} s (still running)");
        }
    }

    public void Dispose()
    {
        lock (_gate) _armedId = 0;
        _timer.Dispose();
        _inner?.Dispose();
    }
}
