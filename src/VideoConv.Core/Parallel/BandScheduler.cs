using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace VideoConv.Core.Parallel;

/// <summary>
/// One band of work, as ImageSharp's row operations: a <c>readonly struct</c> carrying everything a call needs
/// (the frames included), run over rows <c>[start, end)</c> by thread <c>worker</c> (0-based; it indexes the
/// owner's per-thread scratch buffers).
/// </summary>
public interface IBandOperation
{
    void Invoke(int start, int end, int worker);
}

/// <summary>
/// Splits an output's rows into bands and runs a band operation over them on a fixed set of dedicated threads
/// plus the caller — the engine's one parallel iterator (ImageSharp's <c>ParallelRowIterator</c>, without
/// <c>Parallel.For</c>'s allocations: a run allocates nothing, so a steady frame loop stays allocation-free).
/// </summary>
/// <remarks>
/// The operation is a struct passed <c>in</c> to the generic <see cref="Run{T}"/>: no interface dispatch, no
/// boxing, no per-call state in the filter. Helpers reach the caller's copy through a pointer and a function
/// pointer instantiated for the operation type; the copy lives on <see cref="Run{T}"/>'s stack, which
/// outlives every helper's use of it (the run waits for all of them).
/// Concurrent callers take turns on the helpers (a run already uses every core); outputs too small to split
/// (below <see cref="MinSamplesPerBand"/> samples per band) run inline on the caller without waiting.
/// An operation must not start another run on the same scheduler (refused: the helpers are busy with it).
/// </remarks>
public sealed unsafe class BandScheduler : IDisposable
{
    /// <summary>Output samples below which a band is not worth handing to another thread.</summary>
    /// <remarks>Measured on the 2-core CI machine: waking a parked worker costs ≈ 5–20 µs, about the time a 3×3 kernel takes over 16 K samples.</remarks>
    public const int MinSamplesPerBand = 16 * 1024;

    /// <summary>Bands per worker: more than one so a worker slowed by another process does not hold up the frame.</summary>
    private const int BandsPerWorker = 4;

    private static readonly Lazy<BandScheduler> s_shared = new(() => new BandScheduler(Environment.ProcessorCount));

    /// <summary>The process-wide scheduler, one thread per core.</summary>
    public static BandScheduler Shared => s_shared.Value;

    [ThreadStatic] private static BandScheduler? t_running; // the scheduler whose run this thread is inside, to refuse nesting

    private readonly Thread[] _threads;
    private readonly Lock _runLock = new();
    private readonly SemaphoreSlim _start;
    private readonly CountdownEvent _done;
    private volatile bool _disposed;

    // The run in progress (written under _runLock before the helpers are released; read by them until _done).
    private void* _operation;
    private delegate*<void*, int, int, int, void> _invoke;
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

    /// <summary>How many bands a run of <paramref name="rows"/> rows of <paramref name="samplesPerRow"/> samples is split into (1: inline on the caller).</summary>
    public int BandsFor(int rows, int samplesPerRow)
    {
        if (rows <= 0) return 0;
        long total = (long)rows * Math.Max(1, samplesPerRow);
        int bands = (int)Math.Min(Math.Clamp(total / MinSamplesPerBand, 1, rows), Workers * BandsPerWorker);
        if (Workers == 1 || bands <= 1) return 1;
        int bandRows = (rows + bands - 1) / bands;
        return (rows + bandRows - 1) / bandRows;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> over rows <c>[0, rows)</c> whose width is <paramref name="samplesPerRow"/>
    /// samples; returns when every band is done and rethrows the first failure (the scheduler stays usable).
    /// </summary>
    public void Run<T>(in T operation, int rows, int samplesPerRow) where T : struct, IBandOperation
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows <= 0) return;
        if (t_running == this) throw new InvalidOperationException("a band operation cannot start another run on its own scheduler");
        int bands = BandsFor(rows, samplesPerRow);
        if (bands <= 1)
        {
            operation.Invoke(0, rows, 0);
            return;
        }
        T local = operation; // on this frame, which outlives every helper's use of it
        lock (_runLock)
        {
            _operation = Unsafe.AsPointer(ref local);
            _invoke = &InvokeAs<T>;
            _rows = rows;
            _bandRows = (rows + bands - 1) / bands;
            _bandCount = bands;
            _nextBand = 0;
            _failure = null;
            int helpers = Math.Min(_threads.Length, bands - 1);
            _done.Reset(helpers + 1);
            _start.Release(helpers);
            t_running = this;
            try { Work(0); }
            finally { t_running = null; }
            _done.Wait();
            _operation = null;
            _invoke = null;
            var failure = _failure;
            _failure = null;
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static void InvokeAs<T>(void* operation, int start, int end, int worker) where T : struct, IBandOperation =>
        Unsafe.AsRef<T>(operation).Invoke(start, end, worker);

    private void WorkerLoop(int worker)
    {
        t_running = this;
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
                _invoke(_operation, start, Math.Min(_rows, start + _bandRows), worker);
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            Volatile.Write(ref _nextBand, int.MaxValue / 2); // no new bands; those running finish
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
