using System.Runtime.InteropServices;

namespace VideoConv.Pipeline.Files;

/// <summary>What a path names on disk (links followed).</summary>
public enum FileNodeKind { Missing, RegularFile, Directory, Fifo, CharacterDevice, BlockDevice, Socket }

/// <summary>A file's identity: the same (device, inode) pair means the same file, whatever path or link names it.</summary>
public readonly record struct FileIdentity(ulong DeviceMajor, ulong DeviceMinor, ulong Inode);

/// <summary>
/// The kind and identity of a file system node, from Linux <c>statx</c> (its buffer layout is the same on every
/// architecture, unlike <c>struct stat</c>). Elsewhere, kinds come from .NET and identity falls back to the
/// resolved full path.
/// </summary>
public static partial class FileNodes
{
    /// <summary>What <paramref name="path"/> names, following links.</summary>
    public static FileNodeKind KindOf(string path)
    {
        if (Stat(path) is { } st) return st.Kind;
        if (Directory.Exists(path)) return FileNodeKind.Directory;
        return File.Exists(path) ? FileNodeKind.RegularFile : FileNodeKind.Missing;
    }

    /// <summary>True when both paths name the same existing file (by identity: hard links, symlinks, <c>./</c> spellings).</summary>
    public static bool SameFile(string a, string b)
    {
        if (Stat(a) is { } sa && Stat(b) is { } sb)
            return sa.Kind != FileNodeKind.Missing && sb.Kind != FileNodeKind.Missing
                ? sa.Identity == sb.Identity
                : sa.Kind == sb.Kind && Resolve(a) == Resolve(b);   // not there yet: the same spelling once resolved
        return string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The full path with every symbolic link resolved (for paths that do not exist yet: their folder's links).</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target) return Path.GetFullPath(target.FullName);
            string? dir = Path.GetDirectoryName(full);
            if (dir is not null && Directory.ResolveLinkTarget(dir, returnFinalTarget: true) is { } d)
                return Path.Combine(Path.GetFullPath(d.FullName), Path.GetFileName(full));
        }
        catch (IOException) { /* a link loop or unreadable link: the spelled path is the best we have */ }
        return full;
    }

    /// <summary>A one-word description for messages: "a FIFO", "a character device"…</summary>
    public static string Describe(FileNodeKind kind) => kind switch
    {
        FileNodeKind.Fifo => "a FIFO (named pipe)",
        FileNodeKind.CharacterDevice => "a character device",
        FileNodeKind.BlockDevice => "a block device",
        FileNodeKind.Socket => "a socket",
        FileNodeKind.Directory => "a folder",
        FileNodeKind.RegularFile => "a file",
        _ => "missing",
    };

    private readonly record struct Node(FileNodeKind Kind, FileIdentity Identity);

    private static Node? Stat(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[256];
        int ret;
        try { ret = Statx(AtFdCwd, path, 0, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)); }
        catch (EntryPointNotFoundException) { return null; }   // glibc before 2.28
        if (ret != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? new Node(FileNodeKind.Missing, default) : null;
        }
        ushort mode = BitConverter.ToUInt16(buffer[28..]);
        ulong inode = BitConverter.ToUInt64(buffer[32..]);
        uint devMajor = BitConverter.ToUInt32(buffer[136..]), devMinor = BitConverter.ToUInt32(buffer[140..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileNodeKind.RegularFile,
            0x4000 => FileNodeKind.Directory,
            0x1000 => FileNodeKind.Fifo,
            0x2000 => FileNodeKind.CharacterDevice,
            0x6000 => FileNodeKind.BlockDevice,
            0xC000 => FileNodeKind.Socket,
            _ => FileNodeKind.RegularFile,
        };
        return new Node(kind, new FileIdentity(devMajor, devMinor, inode));
    }

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENOENT = 2, ENOTDIR = 20;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
