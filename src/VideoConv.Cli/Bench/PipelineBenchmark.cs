using System.Diagnostics;
using System.Globalization;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Bench;

/// <summary>One end-to-end job timed as a whole.</summary>
public sealed record PipelineBenchRow(string Job, long Frames, double Seconds)
{
    public double Fps => Frames / Seconds;
}

/// <summary>
/// The end-to-end comparison: decode a 1080p H.264 clip, sharpen, encode MPEG-4 Part 2 — once by the
/// FFmpeg CLI (<c>-vf convolution</c> then <c>-c:v mpeg4</c>), once by a VideoConv pipeline, same clip, same
/// encoder quality, run back to back.
/// </summary>
public static class PipelineBenchmark
{
    /// <summary>The sharpen kernel both jobs apply.</summary>
    public static readonly float[,] Sharpen = { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } };

    public static async Task<IReadOnlyList<PipelineBenchRow>> RunAsync(string? input, int seconds, int rounds, Action<string> log, CancellationToken cancellationToken)
    {
        string ffmpeg = SystemTools.Find("ffmpeg") ?? throw new InvalidOperationException("the end-to-end bench needs the system ffmpeg (scripts/install-deps installs it)");
        string work = Path.Combine(Path.GetTempPath(), $"videoconv-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            string clip = input ?? Path.Combine(work, "clip-1080p-h264.mp4");
            if (input is null)
            {
                log($"making a {seconds}s 1080p30 H.264 clip with ffmpeg (testsrc2)…");
                await Exec(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
                                    "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                                    SystemTools.FfmpegFileArgument(clip)], cancellationToken);
            }
            long frames = await CountFrames(clip, cancellationToken);
            var rows = new List<PipelineBenchRow>();
            string k = "0 -1 0 -1 5 -1 0 -1 0";
            for (int round = 0; round < rounds; round++)
            {
                string theirs = Path.Combine(work, $"ffmpeg-{round}.mp4");
                log($"round {round + 1}: FFmpeg CLI…");
                var t0 = Stopwatch.GetTimestamp();
                await Exec(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", SystemTools.FfmpegFileArgument(clip),
                                    "-vf", $"convolution={k}:{k}:{k}:{k}", "-c:v", "mpeg4", "-q:v", FfmpegQuality.ToString(CultureInfo.InvariantCulture),
                                    SystemTools.FfmpegFileArgument(theirs)], cancellationToken);
                rows.Add(new PipelineBenchRow("FFmpeg CLI: decode → convolution → mpeg4", frames, Stopwatch.GetElapsedTime(t0).TotalSeconds));

                string ours = Path.Combine(work, $"videoconv-{round}.mp4");
                log($"round {round + 1}: VideoConv pipeline…");
                var spec = new PipelineSpec(new FileSourceSpec(clip),
                    [new FilterDefinition { Name = "sharpen", Kernels = [Kernel.FromArray(Sharpen)] }],
                    [new FileSinkSpec(ours, "mp4v")]);
                t0 = Stopwatch.GetTimestamp();
                await using (var pipeline = new VideoPipeline(spec, new PipelineOptions { Overwrite = true }))
                {
                    var stats = await pipeline.RunAsync(cancellationToken);
                    rows.Add(new PipelineBenchRow("VideoConv: decode → sharpen → mp4v", stats.FramesOut, Stopwatch.GetElapsedTime(t0).TotalSeconds));
                }
            }
            return rows;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>ffmpeg's <c>-q:v</c> for MPEG-4 Part 2, the same the pipeline's ffmpeg encoder uses.</summary>
    public const int FfmpegQuality = 5;

    private static async Task<long> CountFrames(string clip, CancellationToken cancellationToken)
    {
        string ffprobe = SystemTools.Find("ffprobe") ?? throw new InvalidOperationException("ffprobe not found");
        var output = await Exec(ffprobe, ["-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0",
                                          "-i", SystemTools.FfmpegFileArgument(clip)], cancellationToken);
        return long.Parse(output.Trim().Split('\n')[0].Trim().TrimEnd(','), CultureInfo.InvariantCulture);
    }

    private static async Task<string> Exec(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = SystemTools.StartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        return await stdout;
    }
}
