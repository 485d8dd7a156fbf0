using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Tests.Support;

/// <summary>A fact that needs the system FFmpeg 5.1 libraries in-process; skipped, visibly, without them.</summary>
public sealed class RequiresLibAvFactAttribute : FactAttribute
{
    public RequiresLibAvFactAttribute()
    {
        if (!LibAv.IsAvailable) Skip = "skipped: the system FFmpeg 5.1 libraries (libavformat59, libavcodec59, libswscale6) are not installed; scripts/install-deps installs ffmpeg";
    }
}

/// <summary>The theory form of <see cref="RequiresLibAvFactAttribute"/>.</summary>
public sealed class RequiresLibAvTheoryAttribute : TheoryAttribute
{
    public RequiresLibAvTheoryAttribute()
    {
        if (!LibAv.IsAvailable) Skip = "skipped: the system FFmpeg 5.1 libraries (libavformat59, libavcodec59, libswscale6) are not installed; scripts/install-deps installs ffmpeg";
    }
}
