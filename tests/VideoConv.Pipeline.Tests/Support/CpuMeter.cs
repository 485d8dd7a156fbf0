using System.Diagnostics;

namespace VideoConv.Pipeline.Tests.Support;

/// <summary>
/// How much CPU other processes used while a test ran (Linux <c>/proc/stat</c> minus this process), in cores.
/// Lets a test that needs CPU tell "the pipeline is too slow" from "the machine was busy".
/// </summary>
public sealed class CpuMeter
{
    private readonly (long Total, long Idle)? _start = Read();
    private readonly TimeSpan _ownStart = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Average cores this process used since construction.</summary>
    public double OwnCores => (Process.GetCurrentProcess().TotalProcessorTime - _ownStart).TotalSeconds / (DateTime.UtcNow - _startTime).TotalSeconds;

    private readonly DateTime _startTime = DateTime.UtcNow;

    /// <summary>Average cores busy with other processes since construction; null where /proc/stat is missing.</summary>
    public double? OtherCores()
    {
        if (_start is not { } start || Read() is not { } end || end.Total == start.Total) return null;
        double wallTicks = end.Total - start.Total;                       // summed over all cores
        double busyCores = (wallTicks - (end.Idle - start.Idle)) / wallTicks * Environment.ProcessorCount;
        double wallSeconds = wallTicks / Environment.ProcessorCount / 100.0;   // USER_HZ = 100
        double ownCores = (Process.GetCurrentProcess().TotalProcessorTime - _ownStart).TotalSeconds / wallSeconds;
        return Math.Max(0, busyCores - ownCores);
    }

    private static (long Total, long Idle)? Read()
    {
        if (!File.Exists("/proc/stat")) return null;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        long total = fields.Take(8).Sum();
        return (total, fields[3] + fields[4]);
    }
}
