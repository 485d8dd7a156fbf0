using System.Reflection.PortableExecutable;
using System.Text.Json;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests;

/// <summary>
/// The Release build of the Cli project (what <c>scripts/videoconv</c> runs off Linux x64 or with <c>VIDEOCONV_BUILD=jit</c>, and the container) holds ReadyToRun code and runs without
/// compilation tiers: start-up and the hot frame loop are not JIT-compiled (twice) in every run, and idle thread-pool
/// workers do not spin (docs/performance.md).
/// </summary>
public sealed class BuildOutputTests
{
    private static readonly string Output = Path.Combine(Repository.Root, "src", "VideoConv.Cli", "bin", "Release", "net10.0");

    [ReleaseBuildFact]
    public void ReleaseBuild_AssembliesArePrecompiled()
    {
        foreach (var name in new[] { "videoconv.dll", "VideoConv.Core.dll", "VideoConv.Pipeline.dll", "YamlDotNet.dll", "System.CommandLine.dll" })
        {
            using var pe = new PEReader(File.OpenRead(Path.Combine(Output, name)));
            var cor = pe.PEHeaders.CorHeader;
            Assert.True(cor is not null && cor.ManagedNativeHeaderDirectory.Size > 0, $"{name} in {Output} has no ReadyToRun code");
        }
    }

    [ReleaseBuildFact]
    public void ReleaseBuild_RunsWithoutCompilationTiersNorThreadPoolSpinning()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Output, "videoconv.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.GetProperty("System.Runtime.TieredCompilation").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    private sealed class ReleaseBuildFactAttribute : FactAttribute
    {
        public ReleaseBuildFactAttribute()
        {
            if (!File.Exists(Path.Combine(Output, "videoconv.dll")))
                Skip = $"skipped: no Release build of the Cli project in {Output} (dotnet build VideoConv.sln -c Release makes it)";
        }
    }
}
