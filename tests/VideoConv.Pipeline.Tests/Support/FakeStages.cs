using System.Collections.Concurrent;
using VideoConv.Core.Convolution;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;

namespace VideoConv.Pipeline.Tests.Support;

/// <summary>
/// Frames whose pixels all hold their sequence number (mod 256) in channel 0 and (n / 256) in channel 1,
/// so any sink can tell which frame it got; optionally throws at frame <c>failAt</c>.
/// </summary>
/// <param name="pace">When set, each read after the first waits for a release of it (a filter's, so that the source never runs ahead; the end too).</param>
internal sealed class CountingSource(int frames, int width = 32, int height = 24, int failAt = -1, SemaphoreSlim? pace = null) : IFrameSource
{
    private int _next;
    public ManualResetEventSlim Ended { get; } = new();

    /// <summary>Frames read so far.</summary>
    public int Reads => Volatile.Read(ref _next);
    public ImageFormat Format { get; } = new(width, height, 3);
    public double Fps => 30;
    public long? TotalFrames => frames;
    public void Open(CancellationToken cancellationToken) { }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (_next == failAt) throw new InvalidOperationException($"camera unplugged at frame {failAt}");
        if (_next > 0) pace?.Wait(cancellationToken);
        if (_next >= frames) { Ended.Set(); return false; }
        Stamp(frame.Image, _next);
        Interlocked.Increment(ref _next);
        return true;
    }

    public static void Stamp(Image image, int n)
    {
        var data = image.Data;
        for (int i = 0; i < data.Length; i += 3) { data[i] = (byte)n; data[i + 1] = (byte)(n >> 8); data[i + 2] = 7; }
    }

    public static int SequenceOf(Image image) => image.Data[0] | (image.Data[1] << 8);

    public bool IsDisposed { get; private set; }
    public void Dispose() => IsDisposed = true;   // Ended stays usable: the pipeline disposes sources before tests look at them
}

/// <summary>Delivers <c>frames</c> frames, then blocks in <see cref="Read"/> ignoring cancellation (as a native read from a silent FIFO does) until <see cref="Unblock"/>.</summary>
internal sealed class StuckSource(int frames) : IFrameSource
{
    private readonly ManualResetEventSlim _unblock = new();
    private int _next;
    public ManualResetEventSlim Disposed { get; } = new();
    public ImageFormat Format { get; } = new(16, 16, 3);
    public double Fps => 30;
    public long? TotalFrames => null;
    public void Open(CancellationToken cancellationToken) { }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (_next == frames) _unblock.Wait();
        if (_next >= frames) return false;
        CountingSource.Stamp(frame.Image, _next++);
        return true;
    }

    public void Unblock() => _unblock.Set();
    public void Dispose() => Disposed.Set();
}

/// <summary>Records the sequence number stamped in each frame; optionally throws at a frame, or waits on a gate before each write.</summary>
internal sealed class RecordingSink(string name = "sink recording", int failAt = -1, ManualResetEventSlim? gate = null) : IFrameSink
{
    public ConcurrentQueue<int> Sequences { get; } = new();
    public ConcurrentQueue<long> FrameSequences { get; } = new();
    public Action<Frame>? OnWrite { get; init; }

    /// <summary>Runs inside <see cref="IFrameSink.Prepare"/> (on the sink's thread, before the source's first frame).</summary>
    public Action<SinkFormat?>? OnPrepare { get; init; }
    public bool Completed { get; private set; }
    public bool Aborted { get; private set; }
    public string Name => name;
    public bool AcceptsFormatChange => true;
    public void Prepare(SinkFormat? expected) => OnPrepare?.Invoke(expected);
    public void Open(ImageFormat format, double fps) { }

    public void Write(Frame frame)
    {
        gate?.Wait();
        if (Sequences.Count == failAt) throw new IOException($"disk full at frame {failAt}");
        Sequences.Enqueue(CountingSource.SequenceOf(frame.Image));
        FrameSequences.Enqueue(frame.Sequence);
        OnWrite?.Invoke(frame);
    }

    public void Complete() => Completed = true;
    public void Abort() => Aborted = true;
    public void Dispose() { }
}

/// <summary>A filter that copies its input and throws at frame <c>failAt</c>.</summary>
/// <param name="applied">Called after each frame it copies.</param>
internal sealed class ThrowingFilter(ImageFormat format, int failAt, Action? applied = null) : IFrameFilter
{
    private int _seen;
    public ImageFormat Input => format;
    public ImageFormat Output => format;
    public string Path => "throwing copy";

    public void Apply(Image src, Image dst)
    {
        if (_seen++ == failAt) throw new ArithmeticException($"kernel overflow at frame {failAt}");
        src.Data.AsSpan().CopyTo(dst.Data);
        applied?.Invoke();
    }
}
