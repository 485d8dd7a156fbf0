using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>Time bases of sources without timestamps: exact fractions, NTSC rates as FFmpeg writes them.</summary>
public class FrameTicksTests
{
    [Theory]
    [InlineData(30, 1, 30)]
    [InlineData(29.97, 1001, 30000)]
    [InlineData(23.976, 1001, 24000)]
    [InlineData(12.5, 2, 25)]
    [InlineData(25, 1, 25)]
    public void FrameTicks_DeclaredRate_IsTheExactTickLength(double fps, int num, int den) =>
        Assert.Equal(new Pipeline.Media.Rational(num, den), Pipeline.Media.Rational.FrameTicks(fps));
}

/// <summary>The struct offsets the media layer reads, proved against the loaded libraries.</summary>
public class LibAvLayoutTests
{
    [RequiresFfmpeg51LibrariesFact]
    public void Verify_LoadedFfmpeg51_EveryOffsetMatches()
    {
        var mismatch = FFmpeg.LibAvLayout.Verify();
        Assert.True(mismatch is null, mismatch);
        Assert.Null(FFmpeg.LibAv.UnavailableReason);
    }
}

/// <summary>Runs where FFmpeg 5.1's libraries can be loaded at all (not only where they verified, which is what the test checks).</summary>
public sealed class RequiresFfmpeg51LibrariesFactAttribute : FactAttribute
{
    public RequiresFfmpeg51LibrariesFactAttribute()
    {
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad("libavformat.so.59", out _))
            Skip = "skipped: FFmpeg 5.1's libavformat.so.59 is not installed (scripts/install-deps installs ffmpeg)";
    }
}

/// <summary>A full disk under the in-process writer, on a small real tmpfs.</summary>
public class MediaFullDiskTests
{
    [RequiresRootAndLibAvFact]
    public async Task FullDisk_FailsTheRunWithNoSpaceLeft_AndLeavesNothing()
    {
        using var dir = new TempDir();
        string mount = dir.File("small");
        Directory.CreateDirectory(mount);
        var (code, output) = TestMedia.Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount);
        Assert.True(code == 0, $"cannot mount a 256 KB tmpfs: {output}");
        try
        {
            string target = Path.Combine(mount, "big.mkv");
            var spec = new PipelineSpec(new PatternSourceSpec(320, 240, 30, 300), [], [new FileSinkSpec(target, "ffv1")]);
            var ex = await Assert.ThrowsAsync<PipelineStageException>(() => new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None));
            Assert.Contains($"{target}: no space left on device", ex.Message);
            Assert.Empty(Directory.GetFiles(mount, "*", SearchOption.AllDirectories));
        }
        finally { TestMedia.Run("umount", mount); }
    }
}

/// <summary>Needs root (to mount a small tmpfs) and the in-process libraries; skipped, visibly, otherwise.</summary>
public sealed class RequiresRootAndLibAvFactAttribute : FactAttribute
{
    public RequiresRootAndLibAvFactAttribute()
    {
        if (!FFmpeg.LibAv.IsAvailable) Skip = "skipped: the system FFmpeg 5.1 libraries are not loaded";
        else if (Environment.UserName != "root") Skip = "skipped: mounting a small tmpfs for the full-disk case needs root";
    }
}
