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

/// <summary>The argument checks every <see cref="IFrameFilter.Apply"/> makes.</summary>
internal static class FrameFilterArguments
{
    public static void Check(IFrameFilter filter, Image src, Image dst)
    {
        if (src.Format != filter.Input) throw new ArgumentException($"expected a {filter.Input} frame, got {src.Format}", nameof(src));
        if (dst.Format != filter.Output) throw new ArgumentException($"expected a {filter.Output} destination, got {dst.Format}", nameof(dst));
        if (ReferenceEquals(src, dst)) throw new ArgumentException("source and destination must differ", nameof(dst));
    }
}
