using VideoConv.Core.Imaging;

namespace VideoConv.Core.Convolution;

/// <summary>A filter bound to one input frame format: reads a source frame, writes a destination frame of <see cref="Output"/> format.</summary>
public interface IFrameFilter
{
    ImageFormat Input { get; }
    ImageFormat Output { get; }

    /// <summary>Which execution path the factory chose (e.g. "separable", "direct"), for logs and benchmarks.</summary>
    string Path { get; }

    /// <summary>Filters <paramref name="src"/> into <paramref name="dst"/>; they must not be the same image.</summary>
    void Apply(Image src, Image dst);
}
