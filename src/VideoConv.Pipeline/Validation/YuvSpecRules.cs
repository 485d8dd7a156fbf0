using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Validation;

/// <summary>
/// The validator's checks of <c>space: yuv</c> (docs/yuv.md), before the first frame: a source that has planes (a file
/// decoded by the FFmpeg libraries), per-plane chains only in that mode, and chains that keep each plane's size and its
/// one channel.
/// </summary>
internal static class YuvSpecRules
{
    public static void Validate(PipelineSpec spec)
    {
        if (spec.Space != PixelSpace.Yuv)
        {
            if (spec.U.Steps.Count > 0 || spec.V.Steps.Count > 0)
                throw new PipelineSpecException("chain", "chains for the u and v planes need space: yuv", (spec.U.Origin(0) ?? spec.V.Origin(0) ?? spec.Origin)?.At);
            return;
        }
        var at = (spec.SpaceOrigin ?? spec.Origin)?.At;
        if (spec.Source is not FileSourceSpec file)
            throw new PipelineSpecException("space", $"space: yuv filters a decoder's planes and needs a file source (file: PATH); a {Kind(spec.Source)} source delivers BGR frames — use space: bgr", at);
        if (!LibAv.IsAvailable)
            throw new PipelineSpecException("space", $"space: yuv needs the system FFmpeg 5.1 libraries in-process, which are {(LibAv.UnavailableReason is { } why ? $"not used ({why})" : "not loaded")}; use space: bgr", at);
        if (FramePlanes.LayoutProblem is { } problem) throw new PipelineSpecException("space", $"space: yuv cannot be used: {problem}", at);
        // The frame size when the file tells it without decoding; any size will do for the checks below otherwise (they
        // are about padding, stride and channels, which refuse the same way at every size the kernel fits).
        var frame = LibAvFileSource.Probe(file) ?? new ImageFormat(1920, 1080, 3);
        CheckPlane(spec.Chain, i => spec.ChainOrigin(i), i => PipelineSpec.ChainStepName(i), FramePlanes.PlaneFormat(frame.Width, frame.Height, 0), "Y");
        CheckPlane(spec.U.Steps, i => spec.U.Origin(i) ?? spec.Origin, i => $"chain u step {i + 1}", FramePlanes.PlaneFormat(frame.Width, frame.Height, 1), "U");
        CheckPlane(spec.V.Steps, i => spec.V.Origin(i) ?? spec.Origin, i => $"chain v step {i + 1}", FramePlanes.PlaneFormat(frame.Width, frame.Height, 2), "V");
    }

    private static void CheckPlane(IReadOnlyList<FilterDefinition> steps, Func<int, SpecOrigin?> origin, Func<int, string> name, ImageFormat plane, string which)
    {
        var format = plane;
        for (int i = 0; i < steps.Count; i++)
        {
            try
            {
                steps[i].Validate();
                format = new ConvolutionGeometry(steps[i], format).Output;
            }
            catch (Exception ex) when (ex is FilterDefinitionException or ArgumentException)
            {
                var key = (ex as FilterDefinitionException)?.Key;
                throw new PipelineSpecException(name(i), $"on the {which} plane ({plane}, one channel): {ex.Message}", key is null ? origin(i)?.At : origin(i)?.Of(key));
            }
            if (format != plane)
                throw new PipelineSpecException(name(i),
                    $"makes {format} from the {which} plane's {plane}; with space: yuv every step keeps the plane's size and its one channel (padding: same, stride 1)", origin(i)?.At);
        }
    }

    private static string Kind(SourceSpec source) => source switch
    {
        CameraSourceSpec => "camera",
        PatternSourceSpec => "pattern",
        ImagesSourceSpec => "images",
        UrlSourceSpec => "url",
        _ => source.GetType().Name,
    };
}
