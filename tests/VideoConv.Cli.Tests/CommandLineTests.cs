using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests;

/// <summary>What System.CommandLine brings to <c>videoconv</c>: --version, response files, completion, strict option names.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private VideoconvProcess.Result Run(params string[] args) => VideoconvProcess.Run(_dir.Path, args);

    [Fact]
    public void Version_PrintsNameAndVersion()
    {
        var r = Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^videoconv \d+\.\d+\.\d+", r.StdOut);
    }

    [Fact]
    public void ResponseFile_SuppliesArguments()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "in.txt"), "1 2 3\n4 5 6\n7 8 9\n");
        File.WriteAllText(Path.Combine(_dir.Path, "args.rsp"), "image\nin.txt\nout.txt\n--filter\nidentity\n");
        var r = Run("@args.rsp");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1 2 3\n4 5 6\n7 8 9", File.ReadAllText(Path.Combine(_dir.Path, "out.txt")).Trim().Replace("\r", ""));
    }

    [Fact]
    public void DashHAsOptionValue_IsAValue_NotHelp()
    {
        // The old parser saw "-h" anywhere and printed help; here it is --output's value (a file named -h is refused by run's checks, not by help).
        var r = Run("run", "missing.yaml", "--output", "-h");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("Usage:", r.StdOut);
        Assert.Contains("missing.yaml", r.StdErr);
    }

    [Theory]
    [InlineData("---input"), InlineData("--Input")]
    public void MisspelledOptionForms_AreRefused(string option)
    {
        var r = Run("run", "x.yaml", option, "a.mp4");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"unknown option '{option}'", r.StdErr);
        Assert.Contains("videoconv run: error: ", r.StdErr);
    }

    [Fact]
    public void NonRepeatableOption_GivenTwice_IsBadUsage()
    {
        var r = Run("batch", "c.yaml", "--out", "a", "--out", "b", "x.mp4");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("videoconv batch: error: ", r.StdErr);
    }

    [Theory]
    [InlineData("bash", "complete -o default"), InlineData("zsh", "compdef _videoconv_complete videoconv"), InlineData("fish", "complete -c videoconv")]
    public void Completion_PrintsAScriptUsingTheSuggestDirective(string shell, string registration)
    {
        var r = Run("completion", shell);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(registration, r.StdOut);
        Assert.Contains("[suggest:", r.StdOut);
    }

    [Fact]
    public void Completion_UnknownShell_IsBadUsage()
    {
        var r = Run("completion", "tcsh");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown shell 'tcsh'", r.StdErr);
    }

    [Fact]
    public void SuggestDirective_CompletesVerbsOptionsAndFilterNames()
    {
        var verbs = Run("[suggest:3]", "val");
        Assert.Contains("validate", verbs.StdOut.Split('\n'));
        var options = Run("[suggest:12]", "batch --over");
        Assert.Contains("--overwrite", options.StdOut.Split('\n'));
        var line = "image a.png b.png --filter ";
        var filters = Run($"[suggest:{line.Length}]", line);
        Assert.Contains("sharpen", filters.StdOut.Split('\n'));
    }

    [Fact]
    public void BenchHelp_SaysRepeatableOnce()
    {
        var r = Run("bench", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("(repeatable) (repeatable)", r.StdOut);
    }

    [Fact]
    public void BenchOnly_TimesOnlyTheMatchingOperations()
    {
        var r = Run("bench", "--only", "σ1.2", "--only", "sobel magnitude", "--size", "96x40", "--iterations", "1", "--rounds", "1", "--threads", "1", "--no-standalone");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("gaussian 5x5 σ1.2", r.StdOut);
        Assert.Contains("sobel magnitude", r.StdOut);
        Assert.DoesNotContain("filter2D 3x3", r.StdOut);
        Assert.DoesNotContain("σ0", r.StdOut);
    }

    [Fact]
    public void Bench_FramesInTurn_BothSidesAndTheStandaloneCheckTakeThemAndAgree()
    {
        var r = Run("bench", "--only", "sharpen 3x3", "--only", "sobel magnitude", "--size", "96x40", "--iterations", "3", "--rounds", "1", "--threads", "1", "--frames", "3", "--json", "-");
        Assert.Equal(0, r.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal(3, json.RootElement.GetProperty("machine").GetProperty("source_frames").GetInt32());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(x => x.GetProperty("operation").GetString()!);
        Assert.Equal(["sharpen 3x3", "sobel magnitude"], rows.Keys.Order());
        foreach (var row in rows.Values)
        {
            // The outputs compared are of the same frame (sharpen is exact against filter2D, the magnitude too).
            Assert.Equal(0, row.GetProperty("max_diff").GetInt32());
            // The child process ran with the same frames and reported its figure.
            Assert.True(row.GetProperty("opencv_alone_ms").GetDouble() > 0);
        }
    }

    [Fact]
    public void Bench_TenStepChain_ReportsItsCostPerStepAgainstOneStep()
    {
        var r = Run("bench", "--only", "sharpen", "--size", "96x40", "--iterations", "1", "--rounds", "1", "--threads", "1", "--no-standalone", "--json", "-");
        Assert.Equal(0, r.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var perStep = json.RootElement.GetProperty("per_step").EnumerateArray().ToList();
        var p = Assert.Single(perStep);
        Assert.Equal("sharpen×10 chain", p.GetProperty("operation").GetString());
        Assert.Equal(10, p.GetProperty("steps").GetInt32());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(x => x.GetProperty("operation").GetString()!);
        double perStepMs = p.GetProperty("ours_per_step_ms").GetDouble(), singleMs = p.GetProperty("single_step_ms").GetDouble();
        // The JSON rounds to 3 decimals: compare within that.
        Assert.InRange(perStepMs, rows["sharpen×10 chain"].GetProperty("ours_ms").GetDouble() / 10 - 0.001, rows["sharpen×10 chain"].GetProperty("ours_ms").GetDouble() / 10 + 0.001);
        Assert.Equal(rows["sharpen 3x3"].GetProperty("ours_ms").GetDouble(), singleMs);
        Assert.InRange(p.GetProperty("ratio_to_single").GetDouble(), (perStepMs - 0.001) / (singleMs + 0.001), (perStepMs + 0.001) / (singleMs - 0.001));
        // 10 steps of 3×3 need 18 rows of halo, over FusedChain.MaxHalo: the chain runs step by step.
        Assert.DoesNotContain("fused", rows["sharpen×10 chain"].GetProperty("path").GetString());
        Assert.Equal(0, rows["sharpen×10 chain"].GetProperty("max_diff").GetInt32());
    }
}
