using System.Collections.Concurrent;
using System.Globalization;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>
/// <c>url:</c> sinks sending to real ffmpeg receivers on 127.0.0.1: what arrives is counted and probed; a receiver that
/// leaves early is reported once, and a live run still finalizes the file sink beside it.
/// </summary>
public class UrlSinkTests
{
    private static readonly TimeSpan ReceiverDeadline = TimeSpan.FromSeconds(60);

    private static int CountPackets(string path)
    {
        var (code, output) = TestMedia.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path);
        Assert.True(code == 0, output);
        return int.Parse(output.Trim().TrimEnd(','), CultureInfo.InvariantCulture);
    }

    [RequiresLibAvFact]
    public async Task Udp_RealFfmpegReceiver_GetsEveryFrameAsH264InMpegTs()
    {
        using var dir = new TempDir();
        string received = dir.File("received.mkv");
        using var receiver = StreamReceiver.Udp("-c", "copy", "-f", "matroska", received);

        await new VideoPipeline(new PipelineSpec(new PatternSourceSpec(160, 120, 30, 60), [TestMedia.Sharpen], [new UrlSinkSpec($"udp://127.0.0.1:{receiver.Port}")]),
            new PipelineOptions()).RunAsync(CancellationToken.None);

        Assert.True(receiver.WaitForExit(ReceiverDeadline) == 0, receiver.Log);
        var video = MediaClips.Stream(received, "v:0");
        Assert.Equal(("h264", "160", "120"), (video.Text("codec_name"), video.Text("width"), video.Text("height")));
        Assert.Equal(60, CountPackets(received));
        Assert.Equal(["received.mkv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // nothing of ours on disk
    }

    [RequiresLibAvFact]
    public async Task Tcp_RealFfmpegListener_GetsEveryFrameWithItsTimestamps()
    {
        using var dir = new TempDir();
        string received = dir.File("received.mkv");
        using var receiver = StreamReceiver.Tcp("-c", "copy", "-f", "matroska", received);

        await new VideoPipeline(new PipelineSpec(new PatternSourceSpec(160, 120, 25, 40), [], [new UrlSinkSpec($"tcp://127.0.0.1:{receiver.Port}")]),
            new PipelineOptions()).RunAsync(CancellationToken.None);

        Assert.True(receiver.WaitForExit(ReceiverDeadline) == 0, receiver.Log);
        var times = MediaClips.FrameTimes(received);
        Assert.Equal(40, times.Count);
        for (int i = 1; i < times.Count; i++) Assert.Equal(0.04, times[i] - times[i - 1], 3);
    }

    [RequiresLibAvFact]
    public async Task Tcp_ReceiverLeavesEarlyInALiveRun_SaidOnceAndTheFileSinkBesideItIsFinalized()
    {
        using var dir = new TempDir();
        string file = dir.File("beside.mkv");
        // The receiver reads 5 frames and exits; the live source would run for an hour, and is stopped once the loss is said.
        using var receiver = StreamReceiver.Tcp("-frames:v", "5", "-f", "null", "-");
        using var stop = new CancellationTokenSource(ReceiverDeadline);
        var warnings = new ConcurrentQueue<string>();
        var options = new PipelineOptions { Warning = w => { warnings.Enqueue(w); stop.CancelAfter(TimeSpan.FromMilliseconds(300)); } };
        var spec = new PipelineSpec(new PatternSourceSpec(160, 120, 30, 108_000) { Live = true }, [],
            [new UrlSinkSpec($"tcp://127.0.0.1:{receiver.Port}"), new FileSinkSpec(file, "ffv1")]);

        var stats = await new VideoPipeline(spec, options).RunAsync(stop.Token);

        receiver.WaitForExit(ReceiverDeadline);
        var said = Assert.Single(warnings);
        Assert.StartsWith($"sink url tcp://127.0.0.1:{receiver.Port}: the receiver went away (", said);
        Assert.True(stats.Stopped);
        Assert.True(CountPackets(file) >= 5, "the file sink has the frames written before and after the receiver left");
        Assert.Equal(["beside.mkv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // finalized: no partial left
    }

    [RequiresLibAvFact]
    public async Task Tcp_ReceiverLeavesEarlyInAFileRun_FailsTheRunNamingTheSink()
    {
        using var dir = new TempDir();
        using var receiver = StreamReceiver.Tcp("-frames:v", "3", "-f", "null", "-");
        var spec = new PipelineSpec(new PatternSourceSpec(160, 120, 30, 108_000), [],
            [new UrlSinkSpec($"tcp://127.0.0.1:{receiver.Port}"), new FileSinkSpec(dir.File("beside.mkv"), "ffv1")]);

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None));

        receiver.WaitForExit(ReceiverDeadline);
        Assert.StartsWith($"sink url tcp://127.0.0.1:{receiver.Port}: the receiver went away (", ex.Message);
        Assert.Empty(Directory.GetFiles(dir.Path)); // a failed run leaves no output
    }

    [RequiresLibAvFact]
    public async Task Tcp_NoReceiverListening_FailsBeforeTheFirstFrameSayingSo()
    {
        int port = StreamReceiver.FreePort(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => new VideoPipeline(
            new PipelineSpec(new PatternSourceSpec(64, 64, 30, 3), [], [new UrlSinkSpec($"tcp://127.0.0.1:{port}")]), new PipelineOptions()).RunAsync(CancellationToken.None));

        Assert.Contains($"could not connect to 'tcp://127.0.0.1:{port}'", ex.Message);
    }

    /// <summary>
    /// The sink connects while the run starts, before the source reads its first frame: the encoder's set-up and the
    /// connection do not hold up the first frames. The source waits (up to 30 s) in its first read for the
    /// connection; a sink that connected at its first frame would never see one there.
    /// </summary>
    [RequiresLibAvFact]
    public async Task Tcp_ConnectsBeforeTheSourceReadsItsFirstFrame()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var connected = new ManualResetEventSlim();
        long received = 0;
        var receiving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            connected.Set();
            var buffer = new byte[65536];
            using var stream = client.GetStream();
            for (int n; (n = await stream.ReadAsync(buffer)) > 0;) received += n;
        });
        var source = new WaitsInFirstRead(connected, frames: 3);

        await new VideoPipeline(new PipelineSpec(new PatternSourceSpec(64, 48, 25, 3), [], [new UrlSinkSpec($"tcp://127.0.0.1:{port}")]),
            new PipelineOptions(), new PipelineSeams { Source = () => source }).RunAsync(CancellationToken.None);
        await receiving.WaitAsync(ReceiverDeadline);

        Assert.True(source.ConnectedBeforeFirstRead, "the url sink had not connected when the source read its first frame");
        Assert.True(received > 0);
    }

    private sealed class WaitsInFirstRead(ManualResetEventSlim connected, int frames) : VideoConv.Pipeline.Sources.IFrameSource
    {
        private int _read;
        public bool ConnectedBeforeFirstRead { get; private set; }
        public VideoConv.Core.Imaging.ImageFormat Format { get; } = new(64, 48, 3);
        public double Fps => 25;
        public long? TotalFrames => frames;
        public void Open(CancellationToken cancellationToken) { }

        public bool Read(VideoConv.Pipeline.Frames.Frame frame, CancellationToken cancellationToken)
        {
            if (_read == 0) ConnectedBeforeFirstRead = connected.Wait(TimeSpan.FromSeconds(30), cancellationToken);
            if (_read >= frames) return false;
            frame.Image.Data.AsSpan().Fill((byte)(40 * _read++));
            return true;
        }

        public void Dispose() { }
    }

    [RequiresLibAvTheory]
    [InlineData("http://127.0.0.1:8080/x", null, "url", "unknown url scheme 'http://'")]
    [InlineData("file:///tmp/out.ts", null, "url", "is a file, not a stream")]
    [InlineData("udp:/127.0.0.1:5000", null, "url", "is not an address of the form scheme://host:port")]
    [InlineData("rtmp://127.0.0.1/live/key", "mpegts", "format", "rtmp:// carries only FLV")]
    [InlineData("udp://127.0.0.1:5000", "rtp", "format", "format: rtp needs an rtp:// url")]
    [InlineData("udp://127.0.0.1:5000", "hls", "format", "writes its own files")]
    [InlineData("udp://127.0.0.1:5000", "nosuchmuxer", "format", "unknown container format 'nosuchmuxer'")]
    [InlineData("udp://127.0.0.1:5000", null, "codec", "MPEG-TS has no stream type for FFV1")]
    public void Validate_BadAddressOrContainer_RefusedBeforeTheFirstFrameAtTheKey(string url, string? format, string key, string fragment)
    {
        var at = new SpecOrigin(new SourceLocation("c.yaml", 4, 10), new Dictionary<string, SourceLocation> { [key] = new("c.yaml", 5, 13) });
        var spec = new PipelineSpec(new PatternSourceSpec(64, 64, 30, 3), [], [new UrlSinkSpec(url, key == "codec" ? "ffv1" : null) { Format = format, Origin = at }]);

        var ex = Assert.Throws<PipelineSpecException>(() => VideoPipeline.Validate(spec, overwrite: false));

        Assert.Contains(fragment, ex.Message);
        Assert.Equal(5, ex.Location?.Line);
    }

    [RequiresLibAvFact]
    public async Task Rtp_InputWithAudio_RefusedUnlessTheAudioIsDropped()
    {
        using var dir = new TempDir();
        string input = MediaClips.Make(dir, "av.mp4", 64, 64, 0.3);
        var spec = new PipelineSpec(new FileSourceSpec(input), [], [new UrlSinkSpec("rtp://127.0.0.1:9")]);

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None));

        Assert.Contains("carries the video only, and the input has aac audio; give audio: drop", ex.Message);
    }
}
