using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Stages;

/// <summary>
/// The filter stage's work where frames travel as the decoder's planes: YUV mode's chains on the planes
/// (<see cref="PlaneFilter"/>), or a BGR chain run strip by strip between the planes (<see cref="FusedBgrFilter"/>).
/// </summary>
internal interface IPlanarFilter : IDisposable
{
    /// <summary>Decoder planes copied into packed scratch before filtering (padded rows), over the run.</summary>
    long CopiedPlanes { get; }

    /// <summary>Builds the chains for frames of <paramref name="frame"/> (width × height × 3) before the first frame.</summary>
    void Prepare(ImageFormat frame);

    /// <summary>Replaces the chain before the next frame (<c>--watch</c>); throws <see cref="Core.FilterDefinitionException"/>, keeping the old one, when it cannot apply.</summary>
    void Replace(IReadOnlyList<FilterDefinition> chain);

    /// <summary>Each chain step's frames and CPU time so far (empty where the filter does not time its steps).</summary>
    IReadOnlyList<ChainStepTime> StepTimes();

    /// <summary>A frame from <paramref name="pool"/> (planar) holding <paramref name="src"/>'s planes, filtered.</summary>
    Frame Apply(Frame src, FramePool pool);
}
