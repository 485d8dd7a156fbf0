using VideoConv.Cli.Config;
using VideoConv.Cli.Yaml;

namespace VideoConv.Cli.Tests.TestSupport;

/// <summary>Loads a config written by a test and asserts on the located error it produces.</summary>
public static class ConfigAssert
{
    /// <summary>Reads and pre-flights <paramref name="yaml"/> as a config file; returns the error it must raise.</summary>
    public static ConfigException Fails(TempFolder folder, string yaml, string name = "config.yaml")
    {
        var path = folder.Write(name, yaml);
        return Assert.Throws<ConfigException>(() =>
        {
            var config = PipelineConfigReader.ReadFile(path);
            ConfigValidation.Check(config, overwrite: false);
        });
    }

    /// <summary>Asserts the error is at <paramref name="line"/>:<paramref name="column"/> and its message holds every fragment.</summary>
    public static void IsAt(ConfigException ex, int line, int column, params string[] fragments)
    {
        Assert.True(ex.Location.Line == line && ex.Location.Column == column,
            $"expected {line}:{column}, got {ex.Location.Line}:{ex.Location.Column}: {ex.Formatted}");
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        Assert.Matches(@"^.+:\d+:\d+: error: ", ex.Formatted);
    }
}
