using System.Collections.Concurrent;
using System.Globalization;
using VideoConv.Pipeline.Files;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// The hidden partial files outputs are written into before they appear: <c>.NAME.HOST-PID-RANDOM.partial.EXT</c>
/// beside the destination (keeping the extension, so libraries choose the container right). Each is locked
/// (an exclusive <c>flock</c> held by a handle of ours) for as long as its writer lives; the kernel drops the
/// lock when the process dies, even by <c>kill -9</c>, so the next run writing the same destination can tell a
/// stale partial from one in progress (on this machine or another sharing the folder) and removes it. On this
/// machine the writer's process is checked too: a writer drops its lock just before its rename.
/// A process that must quit at once (a second Ctrl+C) deletes its own partials.
/// </summary>
public static class PartialFiles
{
    private static readonly ConcurrentDictionary<string, FileStream?> s_paths = new();

    /// <summary>This machine's name as partial file names carry it (letters, digits, '-', '_'; 32 at most).</summary>
    public static string ThisHost { get; } = new([.. Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(32)]);

    /// <summary>Creates (empty) and locks a new partial file for <paramref name="destination"/>, after removing stale ones; returns its path.</summary>
    public static string Create(string destination)
    {
        string full = Path.GetFullPath(destination);
        string dir = Path.GetDirectoryName(full)!;
        RemoveStale(full);
        string owner = string.Create(CultureInfo.InvariantCulture, $"{ThisHost}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string temp = Path.Combine(dir, $"{Prefix(full)}{owner[..Math.Min(owner.Length, 60)]}{Suffix(full)}");
        // FileShare.None takes flock(LOCK_EX) on Unix; native writers (libav, OpenCV, ffmpeg) open the path on their own.
        var holder = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        s_paths[temp] = holder;
        return temp;
    }

    /// <summary>The locked handle of a partial file made by <see cref="Create"/>, for writers that write through .NET.</summary>
    internal static FileStream Handle(string temp) =>
        s_paths.TryGetValue(temp, out var holder) && holder is not null ? holder : throw new InvalidOperationException($"'{temp}' is not a partial file of this process");

    internal static void Forget(string? path)
    {
        if (path is not null && s_paths.TryRemove(path, out var holder)) Release(holder);
    }

    // Closing the lock handle may flush bytes a failed write left buffered; they belong to a file being given up.
    private static void Release(FileStream? holder)
    {
        try { holder?.Dispose(); }
        catch (IOException) { /* the write already failed and was reported */ }
    }

    /// <summary>
    /// Makes a finished partial file the destination (the one way outputs appear): flushed to disk first (a full
    /// disk or a lost network share fails here, not silently later), refusing to replace a file that appeared
    /// during the run unless <paramref name="overwrite"/>, and never replacing a FIFO, device or folder.
    /// </summary>
    public static void Commit(string temp, string destination, bool overwrite)
    {
        try
        {
            // fsync through our own handle: a second handle of ours would conflict with the lock it holds.
            if (s_paths.TryGetValue(temp, out var holder) && holder is not null) holder.Flush(flushToDisk: true);
            else using (var sync = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) sync.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            throw DiskErrors.Describe(ex, destination);
        }
        // The lock goes before the rename: once in place the file is an output like any other, and .NET readers of it
        // (FileShare.Read takes a shared flock) must not meet our exclusive one.
        if (s_paths.TryGetValue(temp, out var locked) && locked is not null) { Release(locked); s_paths[temp] = null; }
        var kind = FileNodes.KindOf(destination);
        if (kind is not (FileNodeKind.Missing or FileNodeKind.RegularFile))
            throw new OutputRefusedException($"'{destination}' became {FileNodes.Describe(kind)} during the run; not replacing it (output kept at '{temp}')");
        if (!overwrite && kind != FileNodeKind.Missing)
            throw new OutputRefusedException($"'{destination}' appeared during the run; not replacing it without overwrite (output kept at '{temp}')");
        File.Move(temp, destination, overwrite);
        Forget(temp);
    }

    /// <summary>Deletes an unfinished partial file, if any.</summary>
    public static void Discard(string? temp)
    {
        if (temp is null) return;
        Forget(temp);
        if (File.Exists(temp)) File.Delete(temp);
    }

    /// <summary>
    /// Deletes the partial files of <paramref name="destination"/> whose writer is gone (their lock is free);
    /// partials of live writers are left alone. Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string destination)
    {
        string full = Path.GetFullPath(destination);
        int removed = 0;
        foreach (var path in Find(destination))
        {
            if (s_paths.ContainsKey(path)) continue;   // ours, in progress
            // A writer on this machine that is still alive may be between dropping its lock and its rename (Commit):
            // its lock is free then, but its file is not stale. Its process says so where the lock cannot.
            if (WriterAliveHere(path, full)) continue;
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(path);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Locked: a live writer (here or on another machine sharing the folder) is still on it.
            }
        }
        return removed;
    }

    /// <summary>The partial files of <paramref name="destination"/> on disk now, of live writers or dead ones.</summary>
    public static IReadOnlyList<string> Find(string destination)
    {
        string full = Path.GetFullPath(destination);
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return [];
        try { return Directory.EnumerateFiles(dir, Prefix(full) + "*" + Suffix(full)).ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>Paths being written now (tests).</summary>
    public static IReadOnlyCollection<string> Current => [.. s_paths.Keys];

    /// <summary>Deletes every partial file still in progress; best effort, never throws (it runs on the way out).</summary>
    public static void DeleteAll()
    {
        foreach (var path in s_paths.Keys)
        {
            try
            {
                if (s_paths.TryRemove(path, out var holder)) Release(holder);
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* left for the next run to remove: it is stale now */ }
        }
    }

    // .NAME.HOST-PID-RANDOM.partial.EXT: true when HOST is this machine and process PID is running.
    private static bool WriterAliveHere(string path, string full)
    {
        string name = Path.GetFileName(path);
        string prefix = Prefix(full), suffix = Suffix(full);
        if (name.Length <= prefix.Length + suffix.Length) return false;
        string owner = name[prefix.Length..^suffix.Length];
        int random = owner.LastIndexOf('-');
        int pidStart = random > 0 ? owner.LastIndexOf('-', random - 1) : -1;
        if (pidStart <= 0 || owner[..pidStart] != ThisHost) return false;
        if (!int.TryParse(owner.AsSpan(pidStart + 1, random - pidStart - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return false;
        if (pid == Environment.ProcessId) return false;   // ours but not in s_paths: given up, so stale
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;   // no such process
        }
    }

    private static string Prefix(string full) => $".{Path.GetFileNameWithoutExtension(full)}.";
    private static string Suffix(string full) => $".partial{Path.GetExtension(full)}";
}
