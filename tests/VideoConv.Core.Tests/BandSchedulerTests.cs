using VideoConv.Core.Parallel;

namespace VideoConv.Core.Tests;

/// <summary>The engine's one parallel iterator: every row once, inline when small, failures surfaced, callers concurrent.</summary>
public class BandSchedulerTests
{
    /// <summary>Counts visits per row and records which thread and worker id ran each band.</summary>
    private readonly struct CountRows(int[] visits, int[] workerOfRow, int[] threadOfRow) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            for (int y = start; y < end; y++)
            {
                Interlocked.Increment(ref visits[y]);
                workerOfRow[y] = worker;
                threadOfRow[y] = Environment.CurrentManagedThreadId;
            }
        }
    }

    private readonly struct Throwing(int failRow, int[] visits) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            for (int y = start; y < end; y++)
            {
                if (y == failRow) throw new InvalidOperationException($"band failed at row {y}");
                Interlocked.Increment(ref visits[y]);
            }
        }
    }

    /// <summary>The caller's first band waits (bounded) until another thread has run a band, proving helpers take part.</summary>
    private readonly struct WaitForHelper(ManualResetEventSlim helperRan, int[] helperBands) : IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            if (worker == 0) helperRan.Wait(TimeSpan.FromSeconds(30));
            else
            {
                Interlocked.Increment(ref helperBands[0]);
                helperRan.Set();
            }
        }
    }

    private readonly struct Nested(BandScheduler scheduler) : IBandOperation
    {
        public void Invoke(int start, int end, int worker) => scheduler.Run(new Throwing(-1, new int[1]), 1, 1);
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int workers in new[] { 1, 2, 3, 5 })
            foreach (int rows in new[] { 1, 2, 3, 7, 8, 9, 31, 64, 100, 1080, 1081 })
                foreach (int samples in new[] { 1, 100, BandScheduler.MinSamplesPerBand, 5760 })
                    data.Add(workers, rows, samples);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Run_AnyShape_VisitsEveryRowExactlyOnce(int workers, int rows, int samplesPerRow)
    {
        using var scheduler = new BandScheduler(workers);
        var visits = new int[rows];
        var workerOfRow = new int[rows];
        scheduler.Run(new CountRows(visits, workerOfRow, new int[rows]), rows, samplesPerRow);
        Assert.All(visits, v => Assert.Equal(1, v));
        Assert.All(workerOfRow, w => Assert.InRange(w, 0, workers - 1));
        int bands = scheduler.BandsFor(rows, samplesPerRow);
        Assert.InRange(bands, 1, Math.Min(rows, workers * 4));
    }

    [Fact]
    public void Run_BelowThreshold_RunsInlineOnCaller()
    {
        using var scheduler = new BandScheduler(4);
        int rows = 10, samples = BandScheduler.MinSamplesPerBand / 10 - 1; // under one band's worth in all
        Assert.Equal(1, scheduler.BandsFor(rows, samples));
        var threads = new int[rows];
        var workers = new int[rows];
        scheduler.Run(new CountRows(new int[rows], workers, threads), rows, samples);
        Assert.All(threads, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
        Assert.All(workers, w => Assert.Equal(0, w));
    }

    [Fact]
    public void Run_AboveThreshold_UsesHelperThreads()
    {
        using var scheduler = new BandScheduler(2);
        int rows = 1080, samples = 5760;
        Assert.Equal(8, scheduler.BandsFor(rows, samples));
        using var helperRan = new ManualResetEventSlim();
        var helperBands = new int[1];
        scheduler.Run(new WaitForHelper(helperRan, helperBands), rows, samples);
        Assert.True(helperRan.IsSet, "no helper thread ran a band");
        Assert.InRange(helperBands[0], 1, 7);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(2, 500)]
    [InlineData(3, 1079)]
    public void Run_BandThrows_CallerSeesItAndSchedulerStaysUsable(int workers, int failRow)
    {
        using var scheduler = new BandScheduler(workers);
        int rows = 1080, samples = 5760;
        var ex = Assert.Throws<InvalidOperationException>(() => scheduler.Run(new Throwing(failRow, new int[rows]), rows, samples));
        Assert.Equal($"band failed at row {failRow}", ex.Message);
        var visits = new int[rows];
        scheduler.Run(new CountRows(visits, new int[rows], new int[rows]), rows, samples);
        Assert.All(visits, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Run_FromInsideABand_IsRefused()
    {
        using var scheduler = new BandScheduler(2);
        var ex = Assert.Throws<InvalidOperationException>(() => scheduler.Run(new Nested(scheduler), 1080, 5760));
        Assert.Contains("cannot start another run", ex.Message);
    }

    [Fact]
    public async Task Run_ConcurrentCallers_EachGetsEveryRowOnce()
    {
        using var scheduler = new BandScheduler(2);
        const int callers = 4, runs = 50, rows = 541, samples = 5760;
        var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(() =>
        {
            for (int r = 0; r < runs; r++)
            {
                var visits = new int[rows];
                scheduler.Run(new CountRows(visits, new int[rows], new int[rows]), rows, samples);
                if (visits.Any(v => v != 1)) return $"caller {c} run {r}: a row was visited {visits.First(v => v != 1)} times";
            }
            return null;
        })).ToArray();
        var failures = (await Task.WhenAll(tasks)).Where(f => f is not null).ToList();
        Assert.Empty(failures);
    }

    [Fact]
    public void Run_AfterDispose_Throws()
    {
        var scheduler = new BandScheduler(2);
        scheduler.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scheduler.Run(new CountRows(new int[1], new int[1], new int[1]), 1, 1));
    }
}
