using System.Diagnostics;
using OpenCvSharp;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Pipeline.Tests.Support;

/// <summary>A temporary folder removed with the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "videoconv-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>Filters, encoded clips and decoding helpers shared by the tests.</summary>
public static class TestMedia
{
    /// <summary>An integer sharpen kernel: the engine and <c>Cv2.Filter2D</c> agree exactly on it.</summary>
    public static readonly float[,] SharpenWeights = { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } };

    public static FilterDefinition Sharpen => FilterDefinition.FromKernel(Kernel.FromArray(SharpenWeights), "sharpen");

    public static FilterDefinition Sobel => new()
    {
        Name = "sobel",
        Mode = FilterMode.GradientMagnitude,
        Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }),
                   Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
    };

    /// <summary>A 3×3 kernel halving the size (stride 2, valid): changes the output format.</summary>
    public static FilterDefinition Downscale => FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 1 } })) with { Stride = Pair.Of(2), Padding = Padding.Valid, Name = "half" };

    /// <summary>Runs a tool and returns its exit code; the output is captured for failure messages.</summary>
    public static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    public static bool HaveTool(string tool) => FindOnPath(tool) is not null;

    public static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Select(d => System.IO.Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>An H.264 (or MPEG-4 when libx264 is missing) clip of ffmpeg's testsrc2, made by the system ffmpeg.</summary>
    public static string MakeClip(TempDir dir, int width, int height, int frames, string name = "input.mp4")
    {
        string path = dir.File(name);
        var (code, output) = Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
            "-frames:v", frames.ToString(), "-c:v", "libx264", "-pix_fmt", "yuv420p", path);
        if (code != 0)
            (code, output) = Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
                "-frames:v", frames.ToString(), "-c:v", "mpeg4", "-q:v", "3", path);
        Assert.True(code == 0, $"ffmpeg could not make the test clip: {output}");
        return path;
    }

    /// <summary>Every frame of a video decoded by OpenCV (BGR).</summary>
    public static List<Mat> Decode(string path)
    {
        var frames = new List<Mat>();
        using var cap = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        Assert.True(cap.IsOpened(), $"OpenCV cannot open {path}");
        while (true)
        {
            var m = new Mat();
            if (!cap.Read(m) || m.Empty()) { m.Dispose(); break; }
            frames.Add(m);
        }
        return frames;
    }

    /// <summary>The frames of <paramref name="path"/> as the pipeline's file source decodes them (in-process FFmpeg, or OpenCV without it).</summary>
    internal static List<Mat> DecodeAsPipeline(string path)
    {
        var frames = new List<Mat>();
        using var source = new Sources.LibAvFileSource(path);
        source.Open(CancellationToken.None);
        using var pool = new Frames.FramePool(source.Format);
        while (true)
        {
            using var frame = pool.Rent();
            if (!source.Read(frame, CancellationToken.None)) break;
            frames.Add(frame.Mat.Clone());
        }
        return frames;
    }

    /// <summary>The frames of <paramref name="path"/> decoded to BGR by the ffmpeg command.</summary>
    public static List<Mat> DecodeWithFfmpegCommand(string path, int width, int height) =>
        DecodeWithFfmpeg(["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "-"], width, height);

    /// <summary>The BGR frames the ffmpeg command writes to stdout with <paramref name="args"/> (which must end in raw bgr24 to "-").</summary>
    public static List<Mat> DecodeWithFfmpeg(IEnumerable<string> args, int width, int height)
    {
        var psi = new ProcessStartInfo("ffmpeg", args) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        var bytes = ms.ToArray();
        int size = width * height * 3;
        var frames = new List<Mat>();
        for (int offset = 0; offset + size <= bytes.Length; offset += size)
        {
            var m = new Mat(height, width, MatType.CV_8UC3);
            System.Runtime.InteropServices.Marshal.Copy(bytes, offset, m.Data, size);
            frames.Add(m);
        }
        return frames;
    }

    public static int CountFrames(string path)
    {
        var frames = Decode(path);
        foreach (var f in frames) f.Dispose();
        return frames.Count;
    }

    /// <summary>Number of pixels (over all channels) that differ.</summary>
    public static int CountDifferent(Mat a, Mat b)
    {
        Assert.Equal(a.Size(), b.Size());
        Assert.Equal(a.Type(), b.Type());
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        using var flat = diff.Reshape(1);
        return Cv2.CountNonZero(flat);
    }
}
