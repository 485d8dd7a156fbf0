using System.Diagnostics;
using OpenCvSharp;
using VideoConv.Core.Filters;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>
/// <c>space: yuv</c> end to end on real clips: the decoder's planes filtered and encoded, checked against OpenCV's
/// <c>filter2D</c> of the input's planes as FFmpeg decodes them, and the output's timing and audio against today's BGR mode.
/// </summary>
public sealed class YuvModeTests(ITestOutputHelper output)
{
    private static async Task<VideoPipeline> Run(PipelineSpec spec, Func<SinkSpec, int, IFrameSink?>? sink = null)
    {
        var pipeline = new VideoPipeline(spec, new PipelineOptions { Overwrite = true }, new PipelineSeams { Sink = sink });
        await pipeline.RunAsync(CancellationToken.None);
        return pipeline;
    }

    private static void Validate(PipelineSpec spec) => VideoPipeline.Validate(spec, overwrite: true);

    [RequiresLibAvTheory]
    [InlineData(256, 144, false)]   // rows packed as decoded (both linesizes multiples of 64, as at 1920 wide): no copy at all
    [InlineData(318, 178, false)]   // padded decoder rows (linesize 384): Y copied once into packed scratch for the engine
    [InlineData(318, 178, true)]    // planes: all — U and V sharpened too
    public async Task Yuv_Ffv1Output_PlanesAreFilter2DOfTheInputsPlanes_TimingAndAudioAsBgrMode(int width, int height, bool allPlanes)
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", width, height, 1.0);
        string yuv = dir.File("yuv.mkv"), bgr = dir.File("bgr.mkv");
        var chain = new[] { TestMedia.Sharpen };
        var spec = new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(yuv, "FFV1")])
        {
            Space = PixelSpace.Yuv,
            U = allPlanes ? new PlaneChain(chain) : PlaneChain.None,
            V = allPlanes ? new PlaneChain(chain) : PlaneChain.None,
        };
        LibAvFileSink? sink = null;
        var pipeline = await Run(spec, (s, _) => sink = new LibAvFileSink((FileSinkSpec)s, spec.Source as FileSourceSpec, overwrite: true));
        await Run(new PipelineSpec(new FileSourceSpec(input), chain, [new FileSinkSpec(bgr, "FFV1")]));

        var inPlanes = DecodePlanes(input, width, height);
        var outPlanes = DecodePlanes(yuv, width, height);
        Assert.InRange(inPlanes.Count, 30, 31);
        Assert.Equal(inPlanes.Count, outPlanes.Count);
        Assert.Equal("yuv420p", MediaClips.Stream(yuv, "v:0").Text("pix_fmt"));
        using var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 });
        for (int f = 0; f < inPlanes.Count; f++)
            for (int p = 0; p < 3; p++)
            {
                using var src = inPlanes[f][p];
                using var got = outPlanes[f][p];
                if (p == 0 || allPlanes)
                {
                    using var expected = new Mat();
                    Cv2.Filter2D(src, expected, MatType.CV_8U, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
                    Assert.True(TestMedia.CountDifferent(expected, got) == 0, $"frame {f} plane {"YUV"[p]} differs from filter2D of the input's plane");
                }
                else Assert.True(TestMedia.CountDifferent(src, got) == 0, $"frame {f} plane {"YUV"[p]} changed, but only Y is filtered");
            }

        // Same times and the same audio packets as the BGR mode's output of the same input (today's behaviour).
        Assert.Equal(MediaClips.FrameTimes(bgr), MediaClips.FrameTimes(yuv));
        Assert.Equal(MediaClips.PacketMd5(bgr, "0:a"), MediaClips.PacketMd5(yuv, "0:a"));
        Assert.Equal(MediaClips.PacketMd5(input, "0:a"), MediaClips.PacketMd5(yuv, "0:a"));
        // FFV1 takes yuv420p: every frame's planes went to the encoder by reference.
        Assert.Equal(((long)inPlanes.Count, 0L), sink!.PlaneFrames);
        output.WriteLine($"{width}x{height}: {pipeline.PlanesCopied} planes copied into packed scratch for the engine over {inPlanes.Count} frames");
        if (width == 256) Assert.Equal(0, pipeline.PlanesCopied);
        else Assert.Equal(inPlanes.Count * (allPlanes ? 3 : 1), pipeline.PlanesCopied);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [RequiresLibAvFact]
    public async Task Yuv_H264Output_DecodesCloseToTheFilteredPlanes_PlanesByReference()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 320, 240, 1.0);
        string outPath = dir.File("out.mp4");
        var spec = new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sharpen], [new FileSinkSpec(outPath, "h264") { Crf = 12 }]) { Space = PixelSpace.Yuv };
        LibAvFileSink? sink = null;
        await Run(spec, (s, _) => sink = new LibAvFileSink((FileSinkSpec)s, spec.Source as FileSourceSpec, overwrite: true));

        var stream = MediaClips.Stream(outPath, "v:0");
        Assert.Equal("h264", stream.Text("codec_name"));
        Assert.Equal("yuv420p", stream.Text("pix_fmt"));
        var inPlanes = DecodePlanes(input, 320, 240);
        var outPlanes = DecodePlanes(outPath, 320, 240);
        Assert.Equal(inPlanes.Count, outPlanes.Count);
        Assert.Equal(MediaClips.FrameTimes(input), MediaClips.FrameTimes(outPath));
        Assert.Equal(((long)inPlanes.Count, 0L), sink!.PlaneFrames);
        using var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 });
        using var expected = new Mat();
        Cv2.Filter2D(inPlanes[15][0], expected, MatType.CV_8U, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
        double psnr = Cv2.PSNR(expected, outPlanes[15][0]);
        output.WriteLine($"H.264 crf 12, Y of frame 15 against filter2D: PSNR {psnr:F1} dB");
        Assert.True(psnr > 35, $"PSNR {psnr:F1} dB: the encoded Y is not the filtered plane");
        foreach (var planes in inPlanes.Concat(outPlanes)) foreach (var m in planes) m.Dispose();
    }

    [RequiresLibAvFact]
    public async Task Yuv_ImagesSink_GetsBgrConvertedOnceAsTheBgrSourceDecodes()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 160, 120, 0.4, audio: false);
        var spec = new PipelineSpec(new FileSourceSpec(input), [], [new ImagesSinkSpec(dir.File("f%03d.png"))]) { Space = PixelSpace.Yuv };
        await Run(spec);
        var expected = TestMedia.DecodeAsPipeline(input);
        Assert.Equal(12, expected.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            using var png = Cv2.ImRead(dir.File($"f{i + 1:000}.png"));
            Assert.True(TestMedia.CountDifferent(expected[i], png) == 0, $"image {i} is not the BGR conversion of the planes");
            expected[i].Dispose();
        }
    }

    [RequiresLibAvFact]
    public async Task Yuv_Yuv444Input_IsConvertedOnceTo420_AndItsYPlaneKeptExactly()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in444.mp4", 160, 120, 0.4, pixFmt: "yuv444p", audio: false);
        Assert.Equal("yuv444p", MediaClips.Stream(input, "v:0").Text("pix_fmt"));
        string outPath = dir.File("out.mkv");
        var source = new Sources.LibAvFileSource(new FileSourceSpec(input), null, planes: true);
        var spec = new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sharpen], [new FileSinkSpec(outPath, "FFV1")]) { Space = PixelSpace.Yuv };
        await new VideoPipeline(spec, new PipelineOptions { Overwrite = true }, new PipelineSeams { Source = () => source }).RunAsync(CancellationToken.None);

        Assert.Equal("yuv420p", MediaClips.Stream(outPath, "v:0").Text("pix_fmt"));
        var inPlanes = DecodePlanes(input, 160, 120); // ffmpeg's own 4:4:4 → 4:2:0: Y is untouched by it
        var outPlanes = DecodePlanes(outPath, 160, 120);
        Assert.Equal(inPlanes.Count, outPlanes.Count);
        Assert.Equal(((long)0, (long)inPlanes.Count), source.PlaneFrames);
        using var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 });
        for (int f = 0; f < inPlanes.Count; f++)
        {
            using var expected = new Mat();
            Cv2.Filter2D(inPlanes[f][0], expected, MatType.CV_8U, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
            Assert.True(TestMedia.CountDifferent(expected, outPlanes[f][0]) == 0, $"frame {f}: Y is not filter2D of the input's Y");
        }
        foreach (var planes in inPlanes.Concat(outPlanes)) foreach (var m in planes) m.Dispose();
    }

    [RequiresLibAvFact]
    public void Yuv_Validation_RefusesSourcesWithoutPlanesAndChainsThatResizeAPlane()
    {
        var at = new SpecOrigin(new SourceLocation("job.yaml", 2, 8));
        var pattern = new PipelineSpec(new PatternSourceSpec(64, 48), [], [new DiscardSinkSpec()]) { Space = PixelSpace.Yuv, SpaceOrigin = at };
        var ex = Assert.Throws<PipelineSpecException>(() => Validate(pattern));
        Assert.Equal(at.At, ex.Location);
        Assert.Contains("pattern", ex.Message);

        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "in.mp4", 64, 48, 0.2, audio: false);
        var step = new SpecOrigin(new SourceLocation("job.yaml", 5, 5));
        var halving = new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sharpen, TestMedia.Downscale], [new DiscardSinkSpec()])
        {
            Space = PixelSpace.Yuv,
            ChainOrigins = [new SpecOrigin(new SourceLocation("job.yaml", 4, 5)), step],
        };
        ex = Assert.Throws<PipelineSpecException>(() => Validate(halving));
        Assert.Equal("chain step 2", ex.Subject);
        Assert.Equal(step.At, ex.Location);

        var uWithoutYuv = new PipelineSpec(new FileSourceSpec(input), [], [new DiscardSinkSpec()]) { U = new PlaneChain([TestMedia.Sharpen], [step]) };
        ex = Assert.Throws<PipelineSpecException>(() => Validate(uWithoutYuv));
        Assert.Equal(step.At, ex.Location);

        var bgrOut = new PipelineSpec(new FileSourceSpec(input), [TestMedia.Sobel with { Channels = null }], [new DiscardSinkSpec()]) { Space = PixelSpace.Yuv };
        Validate(bgrOut); // a one-channel filter keeps a plane: accepted
    }

    /// <summary>Each frame's Y, U, V planes (one-channel Mats) as the ffmpeg command decodes <paramref name="path"/> to raw yuv420p.</summary>
    private static List<Mat[]> DecodePlanes(string path, int width, int height)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err.Result);
        var bytes = ms.ToArray();
        int cw = (width + 1) / 2, ch = (height + 1) / 2, size = width * height + 2 * cw * ch;
        var frames = new List<Mat[]>();
        for (int offset = 0; offset + size <= bytes.Length; offset += size)
        {
            var y = new Mat(height, width, MatType.CV_8UC1);
            var u = new Mat(ch, cw, MatType.CV_8UC1);
            var v = new Mat(ch, cw, MatType.CV_8UC1);
            System.Runtime.InteropServices.Marshal.Copy(bytes, offset, y.Data, width * height);
            System.Runtime.InteropServices.Marshal.Copy(bytes, offset + width * height, u.Data, cw * ch);
            System.Runtime.InteropServices.Marshal.Copy(bytes, offset + width * height + cw * ch, v.Data, cw * ch);
            frames.Add([y, u, v]);
        }
        return frames;
    }
}
