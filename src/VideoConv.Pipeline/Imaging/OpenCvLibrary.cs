using System.Reflection;
using System.Runtime.InteropServices;

namespace VideoConv.Pipeline.Imaging;

/// <summary>
/// Finds OpenCvSharp's native library beside the program. A framework-dependent build finds it through its
/// <c>runtimes/</c> folder; a native AOT build has no such folder and looks only where the loader does, so a
/// binary started from any working directory would fail at its first frame without this.
/// </summary>
public static class OpenCvLibrary
{
    private const string Name = "OpenCvSharpExtern";
    private static int _registered;

    /// <summary>Registers the lookup once, before OpenCV is first used; later calls do nothing.</summary>
    public static void FindBesideProgram()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(OpenCvSharp.Mat).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // OpenCvSharp registered its own resolver: it knows where its library is.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name) return IntPtr.Zero;
        string file = OperatingSystem.IsWindows() ? Name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + Name + ".dylib" : "lib" + Name + ".so";
        string beside = Path.Combine(AppContext.BaseDirectory, file);
        // Zero lets the runtime search as it always does (runtimes/ folder, loader path).
        return File.Exists(beside) && NativeLibrary.TryLoad(beside, out var handle) ? handle : IntPtr.Zero;
    }
}
