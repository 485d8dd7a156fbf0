namespace VideoConv.Core.Parallel;

/// <summary>One band of work: rows <c>[start, end)</c> of some output, run on worker <c>worker</c> (0-based, for its scratch buffers).</summary>
public interface IBandOperation
{
    void Execute(int start, int end, int worker);
}

/// <summary>
/// Splits a frame's rows into bands and runs them on a fixed set of dedicated threads plus the caller.
/// Unlike <c>Parallel.For</c>, a run allocates nothing, so a steady-state frame loop stays allocation-free.
/// </summary>
/// <remarks>
/// One scheduler serves all filters; concurrent callers take turns (a run already uses every core).
/// Small outputs run inline on the caller: below <see cref="MinSamplesPerBand"/> output samples per band
/// the hand-off costs more than it saves.
/// </remarks>
public sealed class BandScheduler : IDisposable
{
    /// <summary>Output samples below which a band is not worth handing to another thread.</summary>
    /// <remarks>Measured on the 2-core CI machine: waking a parked worker costs ≈ 5–20 µs, about the time a 3×3 kernel takes over 16 K samples.</remarks>
    public const int MinSamplesPerBand = 16 * 1024;

    /// <summary>Bands per worker: more than one so a worker slowed by another process does not hold up the frame.</summary>
    private const int BandsPerWorker = 4;

    private static readonly Lazy<BandScheduler> s_shared = new(() => new BandScheduler(Environment.ProcessorCount));

    /// <summary>The process-wide scheduler, one thread per core.</summary>
    public static BandScheduler Shared => s_shared.Value;

    private readonly Thread[] _threads;
    private readonly object _runLock = new();
    private readonly SemaphoreSlim _start;
    private readonly CountdownEvent _done;
    private volatile bool _disposed;

    // The run in progress (guarded by _runLock; read by workers between _start and _done).
    private IBandOperation? _operation;
    private int _rows, _bandRows, _bandCount, _nextBand;
    private Exception? _failure;

    public BandScheduler(int workers)
    {
        Workers = Math.Max(1, workers);
        _start = new SemaphoreSlim(0);
        _done = new CountdownEvent(1);
        _threads = new Thread[Workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"videoconv-band-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads taking part in a run, the caller included; scratch buffers are indexed by worker id below this.</summary>
    public int Workers { get; }

    /// <summary>Runs <paramref name="operation"/> over rows <c>[0, rows)</c> whose width is <paramref name="samplesPerRow"/>; returns when all bands are done and rethrows the first failure.</summary>
    public void Run(IBandOperation operation, int rows, int samplesPerRow)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long total = (long)rows * Math.Max(1, samplesPerRow);
        int maxBands = (int)Math.Clamp(total / MinSamplesPerBand, 1, rows);
        int bands = Math.Min(maxBands, Workers * BandsPerWorker);
        if (bands <= 1 || Workers == 1)
        {
            operation.Execute(0, rows, 0);
            return;
        }
        lock (_runLock)
        {
            _operation = operation;
            _rows = rows;
            _bandRows = (rows + bands - 1) / bands;
            _bandCount = (rows + _bandRows - 1) / _bandRows;
            _nextBand = 0;
            _failure = null;
            int helpers = Math.Min(_threads.Length, _bandCount - 1);
            _done.Reset(helpers + 1);
            _start.Release(helpers);
            Work(0);
            _done.Wait();
            _operation = null;
            if (_failure is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void WorkerLoop(int worker)
    {
        while (true)
        {
            _start.Wait();
            if (_disposed) return;
            Work(worker);
        }
    }

    private void Work(int worker)
    {
        try
        {
            int band;
            while ((band = Interlocked.Increment(ref _nextBand) - 1) < _bandCount)
            {
                int start = band * _bandRows;
                _operation!.Execute(start, Math.Min(_rows, start + _bandRows), worker);
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            Volatile.Write(ref _nextBand, int.MaxValue / 2);
        }
        finally
        {
            _done.Signal();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_threads.Length > 0) _start.Release(_threads.Length);
    }
}
