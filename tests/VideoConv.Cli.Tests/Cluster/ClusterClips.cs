using System.Diagnostics;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Cluster;

/// <summary>Real clips made by ffmpeg for the cluster tests (H.264 with AAC audio, 160×120), and the tools to compare outputs.</summary>
public static class ClusterClips
{
    public const string Config = """
        source:
          pattern: {width: 160, height: 120, fps: 30, frames: 30}
        chain:
          - filter: sharpen
        sinks:
          - file: out.mkv
            codec: FFV1
        """;

    /// <summary>An H.264 clip with a keyframe every second and a sine tone as AAC audio.</summary>
    public static string Make(string path, double seconds, int tone = 440)
    {
        var t = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-f", "lavfi", "-i", $"sine=frequency={tone}:sample_rate=48000",
            "-t", t, "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-bf", "2", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path]);
        return path;
    }

    /// <summary><c>ffmpeg -f framemd5</c> of the first video stream, timestamps as stored (<c>-copyts</c>): one line per frame.</summary>
    public static IReadOnlyList<string> FrameMd5(string file) => Lines(Capture("ffmpeg", ["-nostdin", "-loglevel", "error", "-copyts", "-i", file, "-map", "0:v:0", "-f", "framemd5", "-"]));

    /// <summary>The MD5 of each packet's payload in the first audio stream (demuxed, not decoded; side data left out).</summary>
    public static IReadOnlyList<string> AudioPacketMd5(string file) =>
        System.Text.RegularExpressions.Regex.Matches(
            Capture("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=data_hash", "-show_data_hash", "md5", "-of", "csv=p=0", file]),
            "MD5:[0-9a-f]{32}").Select(m => m.Value).ToList();

    /// <summary>pts and duration of every video packet, and the container duration.</summary>
    public static (IReadOnlyList<string> Packets, string Duration) Timing(string file) => (
        Lines(Capture("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,duration", "-of", "csv=p=0", file])),
        Capture("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]).Trim());

    public static bool HasAudio(string file) => Capture("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", file]).Trim().Length > 0;

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToList();

    /// <summary>Runs <c>ffmpeg -y</c> quietly with <paramref name="args"/>; throws with its stderr when it fails.</summary>
    public static void Ffmpeg(params string[] args) => Capture("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. args]);

    private static string Capture(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {err.Result}");
        return output;
    }

    /// <summary>A videoconv started in the background with its environment (killed on dispose if still running).</summary>
    public sealed class Shard : IDisposable
    {
        private readonly Task<string> _stdout, _stderr;
        public Process Process { get; }

        public Shard(string workingDirectory, IDictionary<string, string?> environment, params string[] args)
        {
            var psi = VideoconvProcess.StartInfo(workingDirectory, args);
            psi.Environment["NO_COLOR"] = "1";
            foreach (var (k, v) in environment) psi.Environment[k] = v;
            Process = Process.Start(psi)!;
            _stdout = Process.StandardOutput.ReadToEndAsync();
            _stderr = Process.StandardError.ReadToEndAsync();
        }

        public VideoconvProcess.Result Wait()
        {
            if (!Process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException("videoconv shard did not finish in 120 s");
            }
            Process.WaitForExit();
            return new VideoconvProcess.Result(Process.ExitCode, _stdout.Result, _stderr.Result);
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}
