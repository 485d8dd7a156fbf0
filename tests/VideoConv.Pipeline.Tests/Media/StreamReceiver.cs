using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>
/// A real <c>ffmpeg</c> process receiving what a url sink sends (udp or tcp on 127.0.0.1, on a free port), started
/// before the run and waited for until its socket is bound (udp) or listening (tcp) — seen in <c>/proc/net</c>, with a
/// bounded deadline, so the sender never races it.
/// </summary>
internal sealed class StreamReceiver : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Task _stdout, _stderr;

    private StreamReceiver(string protocol, int port, IEnumerable<string> args)
    {
        Port = port;
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _stdout = Collect(_process.StandardOutput);
        _stderr = Collect(_process.StandardError);
        WaitUntilBound(protocol);
    }

    public int Port { get; }

    /// <summary>FFmpeg's own lines (stdout and stderr), for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary><c>ffmpeg -i udp://127.0.0.1:PORT … ARGS</c>: ends 2 s after the last datagram.</summary>
    public static StreamReceiver Udp(params string[] outputArgs)
    {
        int port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        return new StreamReceiver("udp", port, ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", $"udp://127.0.0.1:{port}?timeout=2000000", .. outputArgs]);
    }

    /// <summary><c>ffmpeg -listen 1 -i tcp://127.0.0.1:PORT … ARGS</c>: accepts one sender, ends when it closes (or when ARGS say).</summary>
    public static StreamReceiver Tcp(params string[] outputArgs)
    {
        int port = FreePort(SocketType.Stream, ProtocolType.Tcp);
        return new StreamReceiver("tcp", port, ["-hide_banner", "-nostdin", "-loglevel", "error", "-listen", "1", "-i", $"tcp://127.0.0.1:{port}", .. outputArgs]);
    }

    /// <summary>Waits (bounded) for the receiver to end; its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the ffmpeg receiver did not end within {timeout.TotalSeconds} s: {Log}");
        }
        Task.WaitAll(_stdout, _stderr);
        return _process.ExitCode;
    }

    /// <summary>A port nothing listens on now (the kernel's choice for a socket bound to port 0).</summary>
    public static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    // The kernel's own table says when the receiver's socket exists: udp bound (state 07), tcp listening (0A).
    private void WaitUntilBound(string protocol)
    {
        string port = $":{Port.ToString("X4", CultureInfo.InvariantCulture)}"; // on 127.0.0.1 or any address (ffmpeg's udp reader binds 0.0.0.0)
        string state = protocol == "udp" ? "07" : "0A";
        var deadline = Stopwatch.StartNew();
        while (!File.ReadLines($"/proc/net/{protocol}").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                   .Any(f => f.Length > 3 && f[1].EndsWith(port, StringComparison.Ordinal) && f[3] == state))
        {
            if (_process.WaitForExit(20)) Assert.Fail($"the ffmpeg receiver ended before it was {(protocol == "udp" ? "bound" : "listening")}: {Log}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"the ffmpeg receiver was not {(protocol == "udp" ? "bound" : "listening")} on port {Port} after 30 s");
        }
    }

    private async Task Collect(StreamReader reader)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            lock (_log) _log.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
