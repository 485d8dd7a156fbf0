using VideoConv.Cli.Config;
using VideoConv.Cli.Imaging;
using VideoConv.Cli.Terminal;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Cli.Verbs;
using VideoConv.Cli.Yaml;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Tests;

/// <summary>The pieces of run and batch that need no pipeline: input expansion, output naming, overrides, status text.</summary>
public sealed class PlanningTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private PipelineConfig Config(string sinks) =>
        PipelineConfigReader.ReadFile(_dir.Write("job.yaml", $"source: {{pattern: {{}}}}\nchain: [sharpen]\nsinks:\n{sinks}"));

    [Fact]
    public void Expand_TakesFilesFoldersAndGlobs_InNameOrder()
    {
        _dir.Write("clips/b.avi", "");
        _dir.Write("clips/a.avi", "");
        _dir.Write("clips/.hidden", "");
        _dir.Write("more/x.mp4", "");
        _dir.Write("more/y.mkv", "");
        var files = InputExpansion.Expand([_dir.Combine("clips"), _dir.Combine("more", "*.mp4"), _dir.Combine("single.avi")]);
        Assert.Equal(["a.avi", "b.avi", "x.mp4", "single.avi"], files.Select(Path.GetFileName));
    }

    [Fact]
    public void Expand_KeepsAGlobWithoutMatches_SoItIsReported() =>
        Assert.Single(InputExpansion.Expand([_dir.Combine("none", "*.avi")]));

    [Fact]
    public void BatchPlan_NamesOutputsAfterInputs_WithTheSinkExtension()
    {
        var config = Config("  - file: whatever.mkv\n    codec: FFV1\n  - images: frames/%04d.png\n  - display: skipped\n  - discard: {}\n");
        var jobs = BatchJob.Plan(config, ["/in/clip.mp4", "/other/clip.avi"], "/out");
        Assert.Equal(["/out/clip.mkv", "/out/clip"], jobs[0].Outputs);
        Assert.Equal(["/out/clip-2.mkv", "/out/clip-2"], jobs[1].Outputs);
        var sinks = jobs[0].Config.Sinks;
        Assert.Equal(new FileSinkSpec("/out/clip.mkv", "FFV1"), sinks[0] with { Origin = null });
        Assert.Equal(new ImagesSinkSpec("/out/clip/%04d.png"), sinks[1] with { Origin = null });
        Assert.IsType<DiscardSinkSpec>(sinks[2]);
        Assert.Equal(3, sinks.Count);
        Assert.Equal(new FileSourceSpec("/in/clip.mp4") { Live = false }, jobs[0].Config.Source with { Origin = null });
    }

    [Fact]
    public void BatchPlan_TwoFileSinksWithOneExtension_GetDistinctNames()
    {
        var jobs = BatchJob.Plan(Config("  - file: a.mkv\n  - file: b.mkv\n"), ["/in/v.mp4"], "/out");
        Assert.Equal(["/out/v-0.mkv", "/out/v-1.mkv"], jobs[0].Outputs);
    }

    [Fact]
    public void InputOverride_UnderstandsCamerasUrlsGlobsAndFiles()
    {
        Assert.Equal(new CameraSourceSpec(2), ConfigOverrides.ParseSource("camera:2"));
        Assert.IsType<UrlSourceSpec>(ConfigOverrides.ParseSource("rtsp://cam/stream"));
        Assert.IsType<ImagesSourceSpec>(ConfigOverrides.ParseSource("frames/*.png"));
        Assert.IsType<FileSourceSpec>(ConfigOverrides.ParseSource("clip.mp4"));
        Assert.Throws<ConfigException>(() => ConfigOverrides.ParseSource("camera:x"));
    }

    [Fact]
    public void OutputOverride_ReplacesAllSinks()
    {
        var config = ConfigOverrides.WithOutput(Config("  - display: a\n  - discard: {}\n"), "out/%03d.png");
        Assert.IsType<ImagesSinkSpec>(Assert.Single(config.Sinks));
        Assert.Equal("--output", config.Sinks[0].Origin!.At.File);
    }

    [Fact]
    public void DisplayFallback_IsOneStatedPath_ThatObeysOverwrite()
    {
        var config = Config("  - display: a\n");
        var replaced = ConfigOverrides.WithFileInsteadOfDisplay(config, out var path, _dir.Path);
        Assert.Equal(_dir.Combine("job-out.mp4"), path);
        Assert.Equal(new FileSinkSpec(path, "mp4v"), Assert.Single(replaced.Sinks) with { Origin = null });
        // A second run names the same file (no job-out-2.mp4) and, like any output, refuses to replace it without --overwrite.
        _dir.Write("job-out.mp4", "taken");
        ConfigOverrides.WithFileInsteadOfDisplay(config, out var again, _dir.Path);
        Assert.Equal(path, again);
        var ex = Assert.Throws<ConfigException>(() => ConfigValidation.Check(replaced, overwrite: false));
        Assert.Contains("--overwrite", ex.Message);
    }

    [Fact]
    public void StatusLine_ShowsABarAndEta_WhenTheLengthIsKnown()
    {
        var stats = new PipelineStats(50, 48, 2, 25, 12.5, 40, 2, 100, []);
        var line = StatusLine.Format(stats);
        Assert.Contains("50%", line);
        Assert.Contains("50/100", line);
        Assert.Contains("2 dropped", line);
        Assert.Contains("ETA 0:02", line);
        Assert.DoesNotContain("ETA", StatusLine.Format(stats with { TotalFrames = null }));
    }

    [Fact]
    public void StatsJson_HasTheAgreedKeys()
    {
        var path = _dir.Combine("stats.json");
        StatsJson.Write(new PipelineStats(10, 9, 1, 30, 5, 9, 0.3, 10, [new StageStats("filter", 9, 30, 100, 1, 0)]), path);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(10, root.GetProperty("frames_in").GetInt64());
        Assert.Equal(9, root.GetProperty("frames_out").GetInt64());
        Assert.Equal(1, root.GetProperty("dropped").GetInt64());
        Assert.Equal(30, root.GetProperty("fps").GetDouble());
        Assert.Equal(9, root.GetProperty("latency_ms").GetProperty("p99").GetDouble());
        Assert.Equal("filter", root.GetProperty("stages")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void TextMatrix_ReadsBracketedAndPlainForms()
    {
        var bracketed = TextMatrixFile.Read(_dir.Write("a.txt", "[[1,2,3],\n [4,5,6]]"));
        var plain = TextMatrixFile.Read(_dir.Write("b.csv", "# comment\n1, 2, 3\n4;5;6\n"));
        Assert.Equal((3, 2), (bracketed.Width, bracketed.Height));
        Assert.Equal(bracketed.Data, plain.Data);
    }

    [Fact]
    public void TextMatrix_RaggedRow_IsLocated()
    {
        var ex = Assert.Throws<ConfigException>(() => TextMatrixFile.Read(_dir.Write("r.txt", "1 2 3\n4 5\n")));
        Assert.Equal((2, 1), (ex.Location.Line, ex.Location.Column));
        Assert.Contains("ragged", ex.Message);
    }
}
