namespace VideoConv.Pipeline.Stats;

/// <summary>
/// Capture-to-sink latencies in fixed log-spaced buckets (5 % wide, 1 µs to ~20 min): constant memory
/// however long the run, lock-free recording, percentiles accurate to one bucket.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double Growth = 1.05;
    private const int BucketCount = 430;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[BucketCount];
    private long _total;

    public long Count => Interlocked.Read(ref _total);

    public void Record(double milliseconds)
    {
        Interlocked.Increment(ref _counts[BucketOf(milliseconds)]);
        Interlocked.Increment(ref _total);
    }

    private static int BucketOf(double ms)
    {
        double us = ms * 1000.0;
        if (!(us > 1.0)) return 0;
        return Math.Min(BucketCount - 1, 1 + (int)(Math.Log(us) / LogGrowth));
    }

    // Geometric middle of the bucket, in milliseconds.
    private static double ValueOf(int bucket) =>
        bucket == 0 ? 0.001 : Math.Pow(Growth, bucket - 0.5) / 1000.0;

    /// <summary>The <paramref name="quantile"/> (0..1) in milliseconds; 0 when nothing was recorded.</summary>
    public double Percentile(double quantile)
    {
        long total = Count;
        if (total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return ValueOf(i);
        }
        return ValueOf(BucketCount - 1);
    }
}
