using System.Collections.Concurrent;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// The hidden temporary files that file sinks are writing right now. A process that must quit at once (a
/// second Ctrl+C) deletes them, so even then nothing but finished outputs is left behind.
/// </summary>
public static class PartialFiles
{
    private static readonly ConcurrentDictionary<string, byte> s_paths = new();

    internal static string Track(string path)
    {
        s_paths[path] = 0;
        return path;
    }

    internal static void Forget(string? path)
    {
        if (path is not null) s_paths.TryRemove(path, out _);
    }

    /// <summary>Paths being written now (tests).</summary>
    public static IReadOnlyCollection<string> Current => [.. s_paths.Keys];

    /// <summary>Deletes every partial file still in progress; best effort, never throws (it runs on the way out).</summary>
    public static void DeleteAll()
    {
        foreach (var path in s_paths.Keys)
        {
            try { File.Delete(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* left for the user; it is hidden and named .partial */ }
            s_paths.TryRemove(path, out _);
        }
    }
}
