using System.Text.Json;
using VideoConv.Cli.Config;
using VideoConv.Cli.Terminal;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Tests;

/// <summary><c>resize:</c> and <c>crop:</c> chain steps in configs (keys, located errors), and per-step shares on the status line.</summary>
public sealed class GeometryStepTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FilterDefinition Step(string yaml) =>
        PipelineConfigReader.ReadStep(SafeYamlReader.ReadText(yaml, "step.yaml"), Environment.CurrentDirectory);

    private static ConfigException StepFails(string yaml) => Assert.Throws<ConfigException>(() => Step(yaml));

    private const string Source = "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 3}\n";

    private string Config(string chain, string sinks = "  - discard: {}") => $"{Source}chain:\n{chain}\nsinks:\n{sinks}\n";

    [Fact]
    public void Resize_BothSides_ReadsSizeAndDefaultMethod()
    {
        var def = Step("resize: {width: 1280, height: 720}");
        Assert.Equal(FilterMode.Resize, def.Mode);
        Assert.Equal(new ResizeSpec(1280, 720, ResizeMethod.Bilinear), def.Resize);
        Assert.Equal("resize", def.Name);
    }

    [Theory]
    [InlineData("resize: {width: 640, method: area}", 640, -1, ResizeMethod.Area)]
    [InlineData("resize: {height: 360, method: bicubic}", -1, 360, ResizeMethod.Bicubic)]
    [InlineData("resize: {width: 641, height: -2}", 641, -2, ResizeMethod.Bilinear)]
    public void Resize_OneSide_FollowsTheOther(string yaml, int w, int h, ResizeMethod method) =>
        Assert.Equal(new ResizeSpec(w, h, method), Step(yaml).Resize);

    [Fact]
    public void Crop_ReadsTheRectangle_XAndYDefaultToZero()
    {
        Assert.Equal(new CropRect(10, 20, 100, 50), Step("crop: {x: 10, y: 20, width: 100, height: 50}").Crop);
        Assert.Equal(new CropRect(0, 0, 8, 6), Step("name: corner\ncrop: {width: 8, height: 6}").Crop);
        Assert.Equal("corner", Step("name: corner\ncrop: {width: 8, height: 6}").Name);
    }

    [Theory]
    [InlineData("resize: {width: 0}", 1, 17, "resize width must be 1 to 16384")]
    [InlineData("resize: {width: 20000}", 1, 17, "resize width")]
    [InlineData("resize: {width: 64, method: nearest}", 1, 29, "resize method")]
    [InlineData("resize: {width: 64, widht: 5}", 1, 21, "widht")]
    [InlineData("resize: {}", 1, 9, "resize needs width, height or both")]
    [InlineData("resize: {width: -1, height: -2}", 1, 9, "resize needs width, height or both")]
    [InlineData("crop: {width: 10}", 1, 7, "crop needs width and height")]
    [InlineData("crop: {x: -1, width: 10, height: 10}", 1, 11, "crop x")]
    [InlineData("resize: {width: 64}\nstride: 2", 2, 1, "'stride' does not apply to a resize step")]
    [InlineData("resize: {width: 64}\ncrop: {width: 8, height: 8}", 2, 1, "write them as two chain steps")]
    [InlineData("filter: sharpen\nresize: {width: 64}", 2, 1, "'resize' is a chain step of its own")]
    public void BadStep_IsLocatedAtTheValue(string yaml, int line, int column, string fragment)
    {
        var ex = StepFails(yaml);
        ConfigAssert.IsAt(ex, line, column, fragment);
    }

    [Fact]
    public void Validate_CropOutsideThePatternFrame_IsLocatedAtTheStep()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - filter: identity\n  - crop: {x: 40, y: 0, width: 30, height: 10}"));
        ConfigAssert.IsAt(ex, 5, 5, "does not fit in the 64x48 frame");
    }

    [Fact]
    public void Validate_OddResizeIntoH264_IsRefusedBeforeTheRun()
    {
        var ex = ConfigAssert.Fails(_dir, Config("  - resize: {width: 33}", "  - file: out.mp4"));
        Assert.Contains("33x25", ex.Message);
    }

    [Fact]
    public void StatusLine_WithSteps_ShowsEachStepsShare()
    {
        var filter = new StageStats("filter", 10, 30, 100, 0, 0)
        {
            Steps = [new ChainStepTime(0, "gaussian", 10, 50), new ChainStepTime(1, "resize", 10, 30), new ChainStepTime(2, "sharpen", 10, 20)],
        };
        var stats = new PipelineStats(10, 10, 0, 30, 5, 9, 0.3, null, [new StageStats("source", 10, 30, 1, 0, 0), filter]);
        var line = StatusLine.Format(stats);
        Assert.EndsWith("filter: 1 gaussian 50% | 2 resize 30% | 3 sharpen 20%", line);
        Assert.EndsWith("filter: 1 gaussian 50% | 2 resize 30% | 3 sharpen 20%", StatusLine.Summary(stats));
        Assert.DoesNotContain("filter:", StatusLine.Format(stats with { Stages = [filter with { Steps = [filter.Steps[0]] }] }));
    }

    [Fact]
    public void Run_ResizeChain_WritesStepsToStatsJsonAndTheSmallerFile()
    {
        _dir.Write("c.yaml", "source:\n  pattern: {width: 160, height: 120, fps: 30, frames: 6}\nchain:\n  - filter: gaussian\n  - resize: {width: 80, height: -2, method: area}\n  - filter: sharpen\nsinks:\n  - file: out.mkv\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", "c.yaml", "--stats-json", "stats.json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("filter: 1 gaussian ", r.StdErr);   // the summary line's step shares
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.Combine("stats.json")));
        var filter = json.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "filter");
        var steps = filter.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["chain step 1 (gaussian)", "chain step 2 (resize)", "chain step 3 (sharpen)"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.All(steps, s => Assert.Equal(6, s.GetProperty("frames").GetInt64()));
        using var capture = new OpenCvSharp.VideoCapture(_dir.Combine("out.mkv"));
        Assert.Equal(80, capture.FrameWidth);
        Assert.Equal(60, capture.FrameHeight);
    }

    [Fact]
    public void Run_CropOutsideAFileSourcesFrames_IsExit2AtTheStep()
    {
        var input = Path.Combine(Repository.Configs, "file-resize.yaml");
        _dir.Write("tiny.yaml", "source:\n  pattern: {width: 64, height: 16, fps: 30, frames: 3}\nsinks:\n  - file: tiny.mkv\n");
        Assert.Equal(0, VideoconvProcess.Run(_dir.Path, "run", "tiny.yaml").ExitCode);
        // The example's resize makes 64x16 frames 480x120, and its crop (360x270 at x 60) does not fit them: known
        // only once the file is opened, refused before the first frame is filtered, at the step.
        var r = VideoconvProcess.Run(_dir.Path, "run", input, "--input", "tiny.mkv", "--output", "out.mkv");
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"file-resize\.yaml:9:\d+: error: chain step 2: crop: ", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.False(File.Exists(_dir.Combine("out.mkv")));
    }
}
