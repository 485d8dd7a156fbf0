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

    /// <summary>Moves a finished partial file to its destination (the one way outputs appear), refusing to replace an existing file unless <paramref name="overwrite"/>.</summary>
    internal static void Commit(string temp, string destination, bool overwrite)
    {
        if (!overwrite && File.Exists(destination))
            throw new IOException($"'{destination}' appeared during the run; not replacing it without overwrite (output kept at '{temp}')");
        File.Move(temp, destination, overwrite);
        Forget(temp);
    }

    /// <summary>Deletes an unfinished partial file, if any.</summary>
    internal static void Discard(string? temp)
    {
        if (temp is not null && File.Exists(temp)) File.Delete(temp);
        Forget(temp);
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
