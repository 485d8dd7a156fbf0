using VideoConv.Cli.Config;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Tests;

/// <summary><c>url:</c> sinks in a config: read as written (never a path), and each bad address or container refused at its line.</summary>
public sealed class UrlSinkConfigTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Config(string sink) => $"source:\n  pattern: {{width: 64, height: 48, fps: 30, frames: 3}}\nchain: []\nsinks:\n  - url: {sink}\n";

    [Fact]
    public void UrlSink_IsReadWithItsMediaKeys_AndTheUrlStaysAsWritten()
    {
        var path = _dir.Write("config.yaml", Config("udp://127.0.0.1:5000?pkt_size=1316\n    codec: h264\n    crf: 28\n    codec_options: {tune: film}"));

        var sink = Assert.IsType<UrlSinkSpec>(Assert.Single(PipelineConfigReader.ReadFile(path).Sinks));

        Assert.Equal(("udp://127.0.0.1:5000?pkt_size=1316", "h264", 28.0, "film"), (sink.Url, sink.Codec, sink.Crf, sink.CodecOptions["tune"]));
    }

    [Fact]
    public void OutputOption_WithAUrl_IsAUrlSinkNotAPath()
    {
        var config = PipelineConfigReader.ReadFile(_dir.Write("config.yaml", Config("udp://127.0.0.1:5000")));

        var sink = Assert.Single(ConfigOverrides.WithOutput(config, "tcp://127.0.0.1:6000", format: "matroska").Sinks);

        Assert.Equal(("tcp://127.0.0.1:6000", "matroska"), (Assert.IsType<UrlSinkSpec>(sink).Url, ((UrlSinkSpec)sink).Format));
    }

    [Theory]
    [InlineData("http://127.0.0.1/x", 5, 10, "unknown url scheme 'http://'")]
    [InlineData("file:///tmp/out.ts", 5, 10, "is a file, not a stream")]
    [InlineData("udp://127.0.0.1:5000\n    encoder: opencv", 6, 5, "'encoder' only applies to a file sink")]
    public void BadUrlSink_IsLocated(string sink, int line, int column, string fragment)
    {
        var ex = ConfigAssert.Fails(_dir, Config(sink));
        ConfigAssert.IsAt(ex, line, column, fragment);
    }

    [RequiresFfmpegLibrariesFact]
    public void RtmpWithAnotherContainer_IsLocatedAtTheFormat()
    {
        var ex = ConfigAssert.Fails(_dir, Config("rtmp://127.0.0.1/live/key\n    format: mpegts"));
        ConfigAssert.IsAt(ex, 6, 13, "rtmp:// carries only FLV");
    }

    [Fact]
    public void MediaKeyOnADisplaySink_SaysFileOrUrl()
    {
        var ex = ConfigAssert.Fails(_dir, "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 3}\nchain: []\nsinks:\n  - display: x\n    crf: 20\n");
        ConfigAssert.IsAt(ex, 6, 5, "'crf' only applies to a file or url sink");
    }
}

/// <summary>Skipped, visibly, without the system ffmpeg/ffprobe or when its FFmpeg libraries do not load in-process (url sinks, pipes of containers).</summary>
public sealed class RequiresFfmpegLibrariesFactAttribute : FactAttribute
{
    public RequiresFfmpegLibrariesFactAttribute()
    {
        if (!Reliability.SystemFfmpeg.Available) Skip = Reliability.SystemFfmpeg.SkipReason;
        else if (!VideoConv.Pipeline.SystemTools.HasFfmpegLibraries) Skip = "skipped: the system FFmpeg 5.1 libraries do not load in-process here";
    }
}
