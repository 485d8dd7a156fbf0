using VideoConv.Cli.Config;
using VideoConv.Cli.Yaml;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Verbs;

/// <summary>One input of a batch: the config with its source and sinks replaced, and how it ended.</summary>
internal sealed class BatchJob
{
    public required string Input { get; init; }
    public required PipelineConfig Config { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }
    public string Name => Path.GetFileName(Input);

    /// <summary>The input as the summary and progress name it: its path as the user would type it, so two <c>av.mp4</c> in different folders read apart.</summary>
    public string Label => Filters.FilterLibrary.DisplayPath(Input);

    public bool? Succeeded { get; set; }
    public string? Reason { get; set; }

    /// <summary>The job failed but its outputs are finalized and worth keeping (the input broke mid-stream).</summary>
    public bool KeepOutputs { get; set; }
    public PipelineStats? Stats { get; set; }

    /// <summary>
    /// The jobs for <paramref name="inputs"/>: each file sink becomes <c>DIR/&lt;input name&gt;.&lt;sink extension&gt;</c>,
    /// each image sink <c>DIR/&lt;input name&gt;/&lt;pattern&gt;</c>; displays are dropped (a batch is headless).
    /// </summary>
    public static IReadOnlyList<BatchJob> Plan(PipelineConfig config, IReadOnlyList<string> inputs, string outDir)
    {
        var sinks = config.Sinks.Where(s => s is not DisplaySinkSpec).ToList();
        if (!sinks.Any(s => s is FileSinkSpec or ImagesSinkSpec))
            throw new ConfigException(config.RootLocation, "batch writes files, but the config has no file or images sink (displays are skipped in a batch)");
        var usedStems = new HashSet<string>(StringComparer.Ordinal);
        var jobs = new List<BatchJob>();
        foreach (var input in inputs)
        {
            var stem = Path.GetFileNameWithoutExtension(input);
            var unique = stem;
            for (int n = 2; !usedStems.Add(unique); n++) unique = $"{stem}-{n}";
            var outputs = new List<string>();
            var specs = new List<SinkSpec>();
            var extensionCount = sinks.OfType<FileSinkSpec>().GroupBy(s => Path.GetExtension(s.Path)).ToDictionary(g => g.Key, g => g.Count());
            int index = 0;
            foreach (var sink in sinks)
            {
                switch (sink)
                {
                    case FileSinkSpec f:
                        var ext = Path.GetExtension(f.Path);
                        var name = extensionCount[ext] > 1 ? $"{unique}-{index}{ext}" : $"{unique}{ext}";
                        var path = Path.Combine(outDir, name);
                        outputs.Add(path);
                        specs.Add(f with { Path = path });
                        break;
                    case ImagesSinkSpec im:
                        var folder = Path.Combine(outDir, unique);
                        outputs.Add(folder);
                        specs.Add(im with { Pattern = Path.Combine(folder, Path.GetFileName(im.Pattern)) });
                        break;
                    default:
                        specs.Add(sink);
                        break;
                }
                index++;
            }
            var jobConfig = config with
            {
                // A batch must not drop frames: never live, never paced.
                Source = new FileSourceSpec(input) { Live = false, Realtime = false, Origin = new SpecOrigin(SourceLocation.CommandLine(input)) },
                Sinks = specs,
            };
            jobs.Add(new BatchJob { Input = input, Config = jobConfig, Outputs = outputs });
        }
        return jobs;
    }

    /// <summary>Removes what a failed job wrote, so a bad input leaves no output behind.</summary>
    public void RemoveOutputs(IReadOnlySet<string> existedBefore)
    {
        foreach (var output in Outputs)
        {
            if (existedBefore.Contains(output)) continue;
            try
            {
                if (File.Exists(output)) File.Delete(output);
                else if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Reason += $" (could not remove {output}: {ex.Message})";
            }
        }
    }
}
