using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Validation;

/// <summary>The folders file and image sinks write into: checked writable (or creatable) before a run, created once checked.</summary>
public static class OutputFolders
{
    /// <summary>The folder a file or images sink writes into.</summary>
    public static string? Of(SinkSpec sink) => sink switch
    {
        FileSinkSpec f => Path.GetDirectoryName(Path.GetFullPath(f.Path)),
        ImagesSinkSpec i => Path.GetDirectoryName(Path.GetFullPath(i.Pattern)),
        _ => null,
    };

    /// <summary>Creates the folders the spec's file and image sinks write into (after <see cref="SpecValidator"/> passed).</summary>
    public static void Create(PipelineSpec spec)
    {
        foreach (var sink in spec.Sinks)
            if (Of(sink) is { } dir) Directory.CreateDirectory(dir);
    }

    /// <summary>
    /// Throws <see cref="IOException"/> (one sentence) unless <paramref name="folder"/> is writable, or can be created:
    /// its nearest existing ancestor is a writable folder. Probed by creating a file, because permission bits do not
    /// tell the whole story (read-only mounts, ACLs).
    /// </summary>
    public static void CheckWritable(string folder)
    {
        var probe = folder;
        while (!Directory.Exists(probe))
        {
            if (File.Exists(probe)) throw new IOException($"output folder '{folder}' cannot be created: '{probe}' is a file");
            probe = Path.GetDirectoryName(probe) ?? throw new IOException($"output folder '{folder}' cannot be created");
        }
        try
        {
            using var _ = new FileStream(Path.Combine(probe, $".videoconv-write-test-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException(probe == folder
                ? $"output folder '{folder}' cannot be written ({ex.GetType().Name}: {ex.Message})"
                : $"output folder '{folder}' cannot be created: '{probe}' cannot be written ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
