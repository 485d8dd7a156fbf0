using System.Text;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Cli.Yaml;

namespace VideoConv.Cli.Tests;

/// <summary>Files built to exhaust the process are refused quickly, with a located error.</summary>
public sealed class HostileYamlTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AliasBomb_IsRefusedAtTheFirstAlias()
    {
        var yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++)
        {
            var prev = (char)(c - 1);
            yaml.Append($"{c}: &{c} [{string.Join(',', Enumerable.Repeat($"*{prev}", 9))}]\n");
        }
        var ex = ConfigAssert.Fails(_dir, yaml.ToString());
        ConfigAssert.IsAt(ex, 2, 8, "aliases (*a) are not allowed");
    }

    [Fact]
    public void MergeKeyAlias_IsRefused()
    {
        var ex = ConfigAssert.Fails(_dir, "base: &b {kernel: [[1]]}\nchain:\n  - <<: *b\n");
        ConfigAssert.IsAt(ex, 3, 9, "aliases");
    }

    [Fact]
    public void DeepNesting_IsRefusedWithoutOverflowingTheStack()
    {
        var yaml = "source: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var ex = ConfigAssert.Fails(_dir, yaml);
        ConfigAssert.IsAt(ex, 1, 9 + SafeYamlReader.MaxDepth - 1, "nesting deeper than");
    }

    [Fact]
    public void HugeDocument_IsRefusedBeforeParsing()
    {
        var path = _dir.Combine("huge.yaml");
        using (var f = File.Create(path)) f.SetLength(SafeYamlReader.MaxBytes + 1);
        var ex = Assert.Throws<ConfigException>(() => Config.PipelineConfigReader.ReadFile(path));
        ConfigAssert.IsAt(ex, 1, 1, "over the", "byte limit");
    }

    [Fact]
    public void KernelWithTooManyRows_IsRefusedBeforeAllocating()
    {
        var rows = string.Join(", ", Enumerable.Repeat("[0]", 10_000));
        var ex = ConfigAssert.Fails(_dir, $"source: {{pattern: {{}}}}\nchain:\n  - kernel: [{rows}]\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 13, "10000 rows", "255x255 limit");
    }

    [Fact]
    public void KernelRowTooWide_IsRefused()
    {
        var row = string.Join(",", Enumerable.Repeat("1", 300));
        var ex = ConfigAssert.Fails(_dir, $"source: {{pattern: {{}}}}\nchain:\n  - kernel: [[{row}]]\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 14, "300 values", "255x255 limit");
    }

    [Fact]
    public void GeneratedKernelOf10000_IsRefusedBeforeAllocating()
    {
        var ex = ConfigAssert.Fails(_dir, "source: {pattern: {}}\nchain:\n  - generator: gaussian\n    size: 10000\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 4, 11, "at most 255");
    }

    [Fact]
    public void HugeNumber_IsRefusedAsNotFinite()
    {
        var ex = ConfigAssert.Fails(_dir, "source: {pattern: {}}\nchain:\n  - kernel: [[1e400]]\nsinks: [discard]\n");
        ConfigAssert.IsAt(ex, 3, 15, "not a finite number");
    }

    [Fact]
    public void SecondDocument_IsRefused()
    {
        var ex = ConfigAssert.Fails(_dir, "source: {pattern: {}}\nsinks: [discard]\n---\nsource: {pattern: {}}\n");
        Assert.Contains("one YAML document", ex.Message);
        Assert.Equal(3, ex.Location.Line);
    }

    [Fact]
    public void ConfigThatIsNotAMapping_IsLocated()
    {
        var ex = ConfigAssert.Fails(_dir, "- just\n- a list\n");
        ConfigAssert.IsAt(ex, 1, 1, "must be a mapping");
    }

    [Fact]
    public void MappingWithManyKeys_FailsAtTheFirstUnknownKey()
    {
        // 200k distinct keys: read in linear time (a quadratic duplicate check would make this test take
        // minutes — visible in the suite's duration; timing itself is not asserted, per house style).
        var yaml = new StringBuilder();
        for (int i = 0; i < 200_000; i++) yaml.Append("k").Append(i).Append(": 1\n");
        var ex = ConfigAssert.Fails(_dir, yaml.ToString());
        ConfigAssert.IsAt(ex, 1, 1, "unknown key 'k0'");
    }
}
