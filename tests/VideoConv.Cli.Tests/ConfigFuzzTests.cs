using CsCheck;
using VideoConv.Cli.Config;
using VideoConv.Cli.Filters;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Cli.Yaml;

namespace VideoConv.Cli.Tests;

/// <summary>Random edits of valid configs and filter files never crash the reader: they load or raise a located error.</summary>
public sealed class ConfigFuzzTests
{
    private static readonly string[] Seeds = LoadSeeds();

    private static string[] LoadSeeds()
    {
        return Directory.GetFiles(Repository.Configs, "*.yaml")
            .Concat(Directory.GetFiles(Repository.Filters, "*.yaml"))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToArray();
    }

    private static readonly string[] Tokens =
    [
        "[", "]", "{", "}", ":", ",", "-", " ", "\n", "  ", "&a ", "*a", "!!str ", "|", ">", "'", "\"", "#", "~", "0", "-1", "1e999", ".nan",
        "300", "9999999999", "1/0", "x", "kernel: ", "stride: ", "padding: ", "[[1,2],[3]]", "filter: ", "sobel", "null", "\t", "%",
        "generator: box", "weights: [[[[1]]]]", "magnitude: {x: [[1]]}", "channels: [0, 0]", "size: 256", "pattern: {width: 1}",
    ];

    private static string Mutate(string text, int seed, int edits)
    {
        var rng = new Random(seed);
        var s = text;
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(s.Length + 1);
            switch (rng.Next(5))
            {
                case 0: // delete a short range
                    s = s.Remove(Math.Min(at, s.Length), Math.Min(rng.Next(1, 8), s.Length - Math.Min(at, s.Length)));
                    break;
                case 1: // insert a token
                    s = s.Insert(at, Tokens[rng.Next(Tokens.Length)]);
                    break;
                case 2: // replace a character
                    if (s.Length > 0) s = s.Remove(Math.Min(at, s.Length - 1), 1).Insert(Math.Min(at, s.Length - 1), Tokens[rng.Next(Tokens.Length)]);
                    break;
                case 3: // duplicate a line
                    var lines = s.Split('\n').ToList();
                    int li = rng.Next(lines.Count);
                    lines.Insert(li, lines[li]);
                    s = string.Join('\n', lines);
                    break;
                default: // swap two lines
                    var ls = s.Split('\n');
                    int a = rng.Next(ls.Length), b = rng.Next(ls.Length);
                    (ls[a], ls[b]) = (ls[b], ls[a]);
                    s = string.Join('\n', ls);
                    break;
            }
        }
        return s;
    }

    /// <summary>Loads <paramref name="text"/> as the validate verb would; only <see cref="ConfigException"/> may escape.</summary>
    private static void Load(string text)
    {
        try
        {
            var root = SafeYamlReader.ReadText(text, "fuzz.yaml");
            if (root is YMapping map && !PipelineConfigReader.TopKeys.Any(map.Has))
            {
                FilterFileReader.Read(map, "fuzz");
                return;
            }
            var config = PipelineConfigReader.Read(root, "fuzz.yaml", Path.GetTempPath());
            if (ConfigValidation.KnownFormat(config) is { } format) ConfigValidation.ChainOutput(config.Chain, format, config.RootLocation);
        }
        catch (ConfigException ex)
        {
            Assert.True(ex.Location.Line >= 1 && ex.Location.Column >= 1, ex.Formatted);
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    }

    [Fact]
    public void MutatedFiles_LoadOrRaiseALocatedError() =>
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int, Gen.Int[1, 6])
            .Sample((file, seed, edits) => Load(Mutate(Seeds[file], seed, edits)), iter: 3000);

    [Fact]
    public void RandomText_LoadsOrRaisesALocatedError() =>
        Gen.String[Gen.Char["[]{}:,-&*!|>'\"# \n\t0123456789.abcdefgxyz"], 0, 200]
            .Sample(Load, iter: 3000);
}

/// <summary>
/// Sink paths made of quotes, spaces, dashes, shell and control characters, run through the real pipeline with
/// the ffmpeg command as encoder (the child process most exposed to argument injection): each run writes exactly
/// the file it names, or refuses it with a located error — and no file ever appears anywhere else.
/// </summary>
public sealed class SinkPathFuzzTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly char[] Alphabet = ['"', '\'', ' ', '-', '\t', '\u0001', '\u001b', '\n', '$', '`', ';', '|', '&', '*', '%', ':', '/', '\\', 'a', 'y', '.', '=', '(', '{', '#'];

    [Reliability.RequiresFfmpegFact]
    public void HostileSinkPaths_WriteThemselvesOrAreRefused_NothingElseAppears()
    {
        string cwd = Environment.CurrentDirectory;
        var before = Directory.EnumerateFileSystemEntries(cwd).ToHashSet();
        var expected = new HashSet<string>();
        int ran = 0;
        Gen.Select(Gen.Int[0, Alphabet.Length - 1].Select(i => Alphabet[i]).Array[1, 16], Gen.Bool).Sample((chars, dash) =>
        {
            string name = (dash ? "-" : "x") + new string(chars).Replace("..", "._", StringComparison.Ordinal);
            string yaml = "source:\n  pattern: {width: 32, height: 32, fps: 30, frames: 2}\nsinks:\n  - file: " +
                          System.Text.Json.JsonSerializer.Serialize(name + ".mkv") + "\n    encoder: ffmpeg\n    codec: FFV1\n";
            try
            {
                var config = PipelineConfigReader.Read(SafeYamlReader.ReadText(yaml, "fuzz.yaml"), "fuzz.yaml", _dir.Path);
                ConfigValidation.Check(config, overwrite: true, createOutputFolders: true);
                var spec = config.ToSpec();
                var pipeline = new VideoConv.Pipeline.VideoPipeline(spec, new VideoConv.Pipeline.Specs.PipelineOptions { Overwrite = true });
                try { pipeline.RunAsync(CancellationToken.None).GetAwaiter().GetResult(); }
                finally { pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
                string written = ((VideoConv.Pipeline.Specs.FileSinkSpec)spec.Sinks[0]).Path;
                Assert.True(File.Exists(written), $"'{written}' was not written");
                expected.Add(Path.GetFullPath(written));
                ran++;
            }
            catch (ConfigException ex)
            {
                Assert.True(ex.Location.Line >= 1, ex.Formatted);
            }
            catch (VideoConv.Pipeline.Specs.PipelineStageException ex)
            {
                Assert.DoesNotContain("\n", ex.Message);
            }
        }, iter: 40, threads: 1);

        var outside = Directory.EnumerateFileSystemEntries(cwd).Where(e => !before.Contains(e)).ToList();
        Assert.True(outside.Count == 0, "files appeared outside the test folder: " + string.Join(", ", outside));
        var inside = Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(Path.GetFullPath).ToHashSet();
        Assert.True(inside.SetEquals(expected),
            $"written but missing: [{string.Join(", ", expected.Except(inside).Select(p => System.Text.Json.JsonSerializer.Serialize(p)))}]; " +
            $"present but not written: [{string.Join(", ", inside.Except(expected).Select(p => System.Text.Json.JsonSerializer.Serialize(p)))}]");
        Assert.True(ran > 5, $"only {ran} of the generated paths ran; the generator is too hostile to test the encoder");
    }
}
