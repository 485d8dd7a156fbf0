using System.Net.Sockets;

namespace VideoConv.Pipeline.Validation;

/// <summary>
/// Whether a window can be shown here: the one answer the validator and the CLI's file fallback both use.
/// OpenCV's windows are GTK 3, which talks X11 (DISPLAY) or Wayland (WAYLAND_DISPLAY). A variable that is set but
/// names no running server (a stale DISPLAY over SSH, a closed Xvfb) counts as no display.
/// </summary>
public static class DisplayServer
{
    /// <summary>Null when a display is available, else the reason in words (for a message).</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var wayland = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        if (!string.IsNullOrEmpty(wayland) && WaylandSocketExists(wayland)) return null;
        var x = Environment.GetEnvironmentVariable("DISPLAY");
        if (!string.IsNullOrEmpty(x)) return XServerAnswers(x) ? null : $"DISPLAY is '{x}' but no X server answers there";
        return string.IsNullOrEmpty(wayland)
            ? "DISPLAY is not set"
            : $"DISPLAY is not set and WAYLAND_DISPLAY '{wayland}' names no Wayland socket";
    }

    private static bool WaylandSocketExists(string name)
    {
        if (Path.IsPathRooted(name)) return File.Exists(name);
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return !string.IsNullOrEmpty(runtime) && File.Exists(Path.Combine(runtime, name));
    }

    /// <summary>DISPLAY is [host]:N[.S]: a local server has a socket in /tmp/.X11-unix, a remote one listens on TCP 6000+N.</summary>
    private static bool XServerAnswers(string display)
    {
        int colon = display.LastIndexOf(':');
        if (colon < 0) return false;
        var host = display[..colon];
        var number = display[(colon + 1)..].Split('.')[0];
        if (!int.TryParse(number, out int n) || n < 0 || n > 1000) return false;
        if (host.Length == 0 || host == "unix" || host.StartsWith('/'))
            return File.Exists($"/tmp/.X11-unix/X{n}") || (host.StartsWith('/') && File.Exists(display[..colon]));
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, 6000 + n).Wait(TimeSpan.FromMilliseconds(500)) && client.Connected;
        }
        catch (Exception ex) when (ex is SocketException or AggregateException)
        {
            return false;
        }
    }
}
