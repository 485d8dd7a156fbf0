using System.Runtime.InteropServices;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// Quiets OpenCV's and its bundled FFmpeg's own console output ("moov atom not found", "[ WARN:0 …]"), so a
/// bad input gives the user our one-line error, not native noise around it. <c>-vv</c> (verbose twice) keeps it.
/// </summary>
internal static partial class NativeLogging
{
    /// <summary>Sets the native environment before OpenCV first reads it; a variable the user set is kept.</summary>
    public static void QuietUnlessVerbose(string[] args)
    {
        // Read before parsing: OpenCV reads its environment when first loaded, before any verb runs.
        int verbose = args.Count(a => a is "--verbose" or "-v") + args.Count(a => a == "-vv") * 2;
        if (verbose >= 2)
        {
            Environment.SetEnvironmentVariable("VIDEOCONV_FFMPEG_LOG", "1"); // the system FFmpeg libraries' own lines
            return;
        }
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // .NET keeps its own copy of the environment on Unix; OpenCV reads the C library's, hence setenv.
        // OPENCV_FFMPEG_LOGLEVEL 0 is AV_LOG_PANIC: FFmpeg prints only what precedes an abort.
        SetEnv("OPENCV_LOG_LEVEL", "ERROR", overwrite: 0);
        SetEnv("OPENCV_FFMPEG_LOGLEVEL", "0", overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
