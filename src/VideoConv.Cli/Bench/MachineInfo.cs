using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VideoConv.Core.Convolution;

namespace VideoConv.Cli.Bench;

/// <summary>What a benchmark ran on: CPU model, cores, the vector tiers the CPU has and the engine uses.</summary>
public static class MachineInfo
{
    /// <summary>The CPU's model name (from /proc/cpuinfo on Linux), or the architecture where it cannot be read.</summary>
    public static string CpuModel
    {
        get
        {
            try
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line?.Split(':', 2) is [_, var name] && name.Trim().Length > 0) return name.Trim();
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>The widest SIMD the CPU offers this process, e.g. "AVX2 (no AVX-512)".</summary>
    public static string CpuVectors =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "AVX-512"
        : Avx2.IsSupported ? "AVX2 (no AVX-512)"
        : Vector128.IsHardwareAccelerated ? "128-bit SIMD only"
        : "no SIMD";

    /// <summary>One line for a report.</summary>
    public static string Summary(int threads) =>
        $"CPU: {CpuModel}, {Environment.ProcessorCount} cores, {CpuVectors}; engine vectors up to {EngineInfo.VectorBits} bits; {threads} thread(s) each side";
}
