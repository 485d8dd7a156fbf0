using OpenCvSharp;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>The in-process FFmpeg decoder that file sources use, against the ffmpeg command and OpenCV's capture.</summary>
public class LibAvTests
{
    [RequiresLibAvFact]
    public void LibAvFileSource_H264Clip_DecodesSameFramesAsFfmpegCommand()
    {
        using var dir = new TempDir();
        string input = TestMedia.MakeClip(dir, 320, 240, 24);
        var (frames, max, _) = Compare(input, TestMedia.DecodeWithFfmpegCommand(input, 320, 240));
        Assert.Equal(24, frames);
        Assert.Equal(0, max);
    }

    [RequiresLibAvFact]
    public void Probe_FileRewrittenBetweenProbes_ReportsTheNewFile()
    {
        // Probes are kept per file version (one open instead of five per run): a file replaced in between is probed anew.
        using var dir = new TempDir();
        string path = TestMedia.MakeClip(dir, 320, 240, 5);
        var spec = new FileSourceSpec(path);
        Assert.Equal(new Core.Imaging.ImageFormat(320, 240, 3), LibAvFileSource.Probe(spec));
        Assert.Equal(new Core.Imaging.ImageFormat(320, 240, 3), LibAvFileSource.Probe(spec));
        string other = TestMedia.MakeClip(dir, 160, 96, 5, "other.mp4");
        File.Move(other, path, overwrite: true);
        Assert.Equal(new Core.Imaging.ImageFormat(160, 96, 3), LibAvFileSource.Probe(spec));
        Assert.NotNull(LibAvFileSource.ProbeColour(spec));
        File.Delete(path);
        Assert.Null(LibAvFileSource.Probe(spec));
    }

    [RequiresLibAvFact]
    public void LibAvFileSource_H264Clip_WithinThreeLevelsOfOpenCvCapture()
    {
        // OpenCV's bundled FFmpeg converts YUV to BGR with different rounding (measured: max 3, ~40 % of samples
        // differ by 1–3); a wrong matrix, range or chroma siting would differ by far more.
        using var dir = new TempDir();
        string input = TestMedia.MakeClip(dir, 320, 240, 24);
        var (frames, max, different) = Compare(input, TestMedia.Decode(input));
        Console.WriteLine($"in-process FFmpeg vs OpenCV capture: {frames} frames, max |diff| {max}, {different} samples differ");
        Assert.Equal(24, frames);
        Assert.InRange(max, 0, 3);
    }

    [RequiresLibAvFact]
    public void LibAvFileSink_Mpeg4_WritesSameVideoAsFfmpegCommandEncoder()
    {
        // Same encoder, same settings (mpeg4, constant quantiser 5): in-process or through the ffmpeg command. The
        // in-process sink converts BGR → YUV with libswscale (as ffmpeg's CLI does), the pipe sink with OpenCV, so the
        // noisy frames are quantised differently: each must be as faithful to the frames written (within 0.5 dB).
        using var dir = new TempDir();
        var format = new Core.Imaging.ImageFormat(320, 240, 3);
        using var pool = new FramePool(format);
        var rng = new Random(7);
        var frames = Enumerable.Range(0, 20).Select(i =>
        {
            var f = pool.Rent();
            using var noise = new Mat(240, 320, MatType.CV_8UC3);
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(40));
            Cv2.Rectangle(f.Mat, new Rect(0, 0, 320, 240), new Scalar(90, 140, 200), -1);
            Cv2.Circle(f.Mat, new Point(20 + i * 12, 120), 40, new Scalar(20, 240, 60), -1);
            Cv2.Add(f.Mat, noise, f.Mat);
            return f;
        }).ToList();
        string inProcess = dir.File("libav.mp4"), piped = dir.File("pipe.mp4");
        SinkRun.Write(new Sinks.LibAvFileSink(inProcess, "mp4v", overwrite: false), format, frames);
        SinkRun.Write(new Sinks.FfmpegPipeSink(piped, "mp4v", overwrite: false), format, frames);
        var originals = frames.Select(f => f.Mat.Clone()).ToList();
        foreach (var f in frames) f.Dispose();

        var a = TestMedia.Decode(inProcess);
        var b = TestMedia.Decode(piped);
        try
        {
            Assert.Equal(20, a.Count);
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++)
            {
                double inProcessDb = Cv2.PSNR(originals[i], a[i]), pipedDb = Cv2.PSNR(originals[i], b[i]);
                Assert.True(inProcessDb > pipedDb - 0.5, $"frame {i}: in-process {inProcessDb:F1} dB, piped {pipedDb:F1} dB");
            }
        }
        finally
        {
            foreach (var m in a.Concat(b).Concat(originals)) m.Dispose();
        }
    }

    [RequiresLibAvTheory]
    [InlineData(161, 91, 3)]
    [InlineData(64, 48, 1)]
    [InlineData(64, 48, 4)]
    public void LibAvFileSink_OddSizesGreyAndBgra_KeepSizeAndPicture(int width, int height, int channels)
    {
        using var dir = new TempDir();
        var format = new Core.Imaging.ImageFormat(width, height, channels);
        using var pool = new FramePool(format);
        using var bgr = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Rectangle(bgr, new Rect(0, 0, width, height), new Scalar(60, 120, 180), -1);
        Cv2.Rectangle(bgr, new Rect(width / 4, height / 4, width / 2, height / 2), new Scalar(200, 40, 90), -1);
        var frames = Enumerable.Range(0, 5).Select(_ =>
        {
            var f = pool.Rent();
            if (channels == 3) bgr.CopyTo(f.Mat);
            else Cv2.CvtColor(bgr, f.Mat, channels == 1 ? ColorConversionCodes.BGR2GRAY : ColorConversionCodes.BGR2BGRA);
            return f;
        }).ToList();
        string output = dir.File("odd.mp4");
        SinkRun.Write(new Sinks.LibAvFileSink(output, "mp4v", overwrite: false), format, frames);
        using var expected = new Mat();
        if (channels == 3) frames[0].Mat.CopyTo(expected);
        else Cv2.CvtColor(frames[0].Mat, expected, channels == 1 ? ColorConversionCodes.GRAY2BGR : ColorConversionCodes.BGRA2BGR);
        foreach (var f in frames) f.Dispose();

        var decoded = TestMedia.Decode(output);
        try
        {
            Assert.Equal(5, decoded.Count);
            Assert.Equal(new Size(width, height), decoded[0].Size());
            using var diff = new Mat();
            Cv2.Absdiff(decoded[0], expected, diff);
            double mean = Cv2.Mean(diff.Reshape(1)).Val0;
            Assert.True(mean < 4, $"mean |decoded - written| is {mean:0.00} levels (lossy mpeg4 at quantiser 5 stays near 1–2)");
        }
        finally
        {
            foreach (var m in decoded) m.Dispose();
        }
    }

    private static class SinkRun
    {
        public static void Write(Sinks.IFrameSink sink, Core.Imaging.ImageFormat format, List<Frame> frames)
        {
            using (sink)
            {
                sink.Open(format, 30);
                foreach (var f in frames) sink.Write(f);
                sink.Complete();
            }
        }
    }

    [RequiresLibAvTheory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public void LibAvFileSource_RotatedClip_TurnedUprightInProcessAsFfmpegAutorotate(int rotation)
    {
        using var dir = new TempDir();
        string plain = TestMedia.MakeClip(dir, 320, 240, 5);
        string rotated = dir.File("rotated.mp4");
        // FFmpeg 5.1 writes the display matrix from the rotate tag (6.0 and later: -display_rotation).
        var (code, output) = TestMedia.Run("ffmpeg", "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v", $"rotate={rotation}", rotated);
        Assert.True(code == 0, output);
        bool turned = rotation != 180;
        // ffmpeg's own autorotate (transpose/hflip+vflip filters) is the oracle, frame for frame.
        var expected = TestMedia.DecodeWithFfmpegCommand(rotated, turned ? 240 : 320, turned ? 320 : 240);
        var (frames, max, _) = Compare(rotated, expected);
        Assert.Equal(5, frames);
        Assert.Equal(0, max);
    }

    [RequiresLibAvFact]
    public void LibAvFileSink_Mpeg4_DeclaresTheFrameRate()
    {
        using var dir = new TempDir();
        var format = new Core.Imaging.ImageFormat(64, 48, 3);
        using var pool = new FramePool(format);
        var frames = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        string output = dir.File("rate.mp4");
        SinkRun.Write(new Sinks.LibAvFileSink(output, "mp4v", overwrite: false), format, frames);
        foreach (var f in frames) f.Dispose();
        var (code, rate) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate,nb_frames", "-of", "csv=p=0", output);
        Assert.True(code == 0, rate);
        Assert.Equal("30/1,10", rate.Trim());
    }

    private static (int Frames, int Max, long Different) Compare(string input, List<Mat> expected)
    {
        using var source = new LibAvFileSource(input);
        source.Open(CancellationToken.None);
        Assert.Equal("libav", source.Decoder);
        using var pool = new FramePool(source.Format);
        int max = 0, frames = 0;
        long different = 0;
        try
        {
            while (true)
            {
                using var frame = pool.Rent();
                if (!source.Read(frame, CancellationToken.None)) break;
                Assert.True(frames < expected.Count, $"decoded more than the {expected.Count} expected frames");
                using var diff = new Mat();
                Cv2.Absdiff(frame.Mat, expected[frames], diff);
                Cv2.MinMaxLoc(diff.Reshape(1), out _, out double m);
                max = Math.Max(max, (int)m);
                different += Cv2.CountNonZero(diff.Reshape(1));
                frames++;
            }
            Assert.Equal(expected.Count, frames);
            return (frames, max, different);
        }
        finally
        {
            foreach (var m in expected) m.Dispose();
        }
    }
}
