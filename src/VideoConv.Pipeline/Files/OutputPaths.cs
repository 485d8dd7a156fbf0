namespace VideoConv.Pipeline.Files;

/// <summary>
/// The one rule every output obeys (video files, image sequences, stats JSON, the image verb's result): it is
/// never one of the run's inputs (compared by file identity, so links and <c>./</c> spellings are caught, and
/// refused even with overwrite, as FFmpeg does), never a folder, FIFO or device (those are never replaced by a
/// file), and an existing file is replaced only with overwrite.
/// </summary>
public static class OutputPaths
{
    /// <summary>Why <paramref name="output"/> may not be written, or null when it may.</summary>
    /// <param name="output">The output path as the user spelled it (messages quote it).</param>
    /// <param name="overwrite">Whether an existing regular file may be replaced.</param>
    /// <param name="inputs">Every file the run reads (source, config, filter files); missing ones are ignored.</param>
    /// <param name="overwriteHint">How the user asks for overwrite where this output is named ("--overwrite", "overwrite").</param>
    public static string? Refusal(string output, bool overwrite, IEnumerable<string> inputs, string overwriteHint = "--overwrite")
    {
        var kind = FileNodes.KindOf(output);
        switch (kind)
        {
            case FileNodeKind.Missing:
                return null;
            case FileNodeKind.Directory:
                return $"output '{output}' is a folder; give a file name";
            case FileNodeKind.Fifo or FileNodeKind.CharacterDevice or FileNodeKind.BlockDevice or FileNodeKind.Socket:
                return $"output '{output}' is {FileNodes.Describe(kind)}; videoconv writes regular files and never replaces a {KindWord(kind)} with one (use a discard sink to throw frames away)";
        }
        foreach (var input in inputs)   // the output exists here, so a missing input never matches
            if (FileNodes.SameFile(output, input))
                return $"output '{output}' is the input '{input}'; refusing to write over an input, even with {overwriteHint}";
        return overwrite ? null : $"output '{output}' already exists; pass {overwriteHint} to replace it";
    }

    /// <summary>Throws <see cref="IOException"/> with <see cref="Refusal"/>'s reason, if any.</summary>
    public static void Check(string output, bool overwrite, IEnumerable<string> inputs, string overwriteHint = "--overwrite")
    {
        if (Refusal(output, overwrite, inputs, overwriteHint) is { } reason) throw new OutputRefusedException(reason);
    }

    /// <summary>
    /// Writes a small output whole: into a hidden partial file beside <paramref name="path"/>, flushed to disk,
    /// then moved into place — so the destination holds the old file or the complete new one, never a torn one,
    /// and a full disk is a failed write, not a short file.
    /// </summary>
    public static void WriteAtomically(string path, bool overwrite, Action<Stream> write)
    {
        string temp = Sinks.PartialFiles.Create(path);
        try
        {
            var stream = Sinks.PartialFiles.Handle(temp);
            write(stream);
            stream.Flush(flushToDisk: true);
            Sinks.PartialFiles.Commit(temp, path, overwrite);
        }
        catch (IOException ex)
        {
            Sinks.PartialFiles.Discard(temp);
            throw DiskErrors.Describe(ex, path);
        }
        catch
        {
            Sinks.PartialFiles.Discard(temp);
            throw;
        }
    }

    private static string KindWord(FileNodeKind kind) => kind switch
    {
        FileNodeKind.Fifo => "FIFO",
        FileNodeKind.Socket => "socket",
        _ => "device",
    };
}

/// <summary>An output that the output rule refuses (it is an input, a FIFO/device, or exists without overwrite).</summary>
public sealed class OutputRefusedException(string message) : IOException(message);

/// <summary>Turns the operating system's write errors into one line naming the file ("FILE: no space left on device").</summary>
public static class DiskErrors
{
    private const int ENOSPC = 28, EDQUOT = 122, WindowsDiskFull = 112, WindowsHandleDiskFull = 39;

    /// <summary>True when <paramref name="error"/> (or a cause) says the disk or quota is full.</summary>
    public static bool IsDiskFull(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            int code = e.HResult & 0xFFFF;
            if (e is IOException && code is ENOSPC or EDQUOT or WindowsDiskFull or WindowsHandleDiskFull) return true;
            if (e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                || e.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>The error to report for a failed write of <paramref name="path"/>.</summary>
    public static IOException Describe(IOException error, string path) =>
        error is OutputRefusedException ? error
        : IsDiskFull(error) ? new IOException($"'{path}': no space left on device", error)
        : error;

    /// <summary>The error for a writer that reports only "it failed": names a full disk when the folder has no room left.</summary>
    public static IOException WriteFailed(string path, string what)
    {
        return FolderIsFull(path)
            ? new IOException($"'{path}': no space left on device")
            : new IOException($"'{path}': {what}");
    }

    /// <summary>True when the file system holding <paramref name="path"/> has (almost) no room left for an unprivileged writer.</summary>
    public static bool FolderIsFull(string path)
    {
        try
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return new DriveInfo(dir).AvailableFreeSpace < 64 * 1024;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
