using System.Text.RegularExpressions;
using VideoConv.Pipeline.Files;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// The output rule for an HLS playlist (<c>.m3u8</c>) and the MPEG-TS segments FFmpeg's hls muxer writes beside it
/// (<c>NAME0.ts</c>, <c>NAME1.ts</c>, … as <c>ffmpeg -f hls</c> names them): everything is written into a hidden staging
/// folder next to the playlist; when the run is finalized the segments move in first and the playlist last (through
/// its locked partial file, as any output), so a player never finds a playlist whose segments are missing or
/// unfinished. Existing segments are replaced only with overwrite; a failed run leaves nothing behind.
/// </summary>
internal sealed class HlsStaging
{
    private readonly string _playlist, _partial, _folder;

    private HlsStaging(string playlist, string partial)
    {
        (_playlist, _partial) = (playlist, partial);
        _folder = partial + StageSuffix;
        Directory.CreateDirectory(_folder);
    }

    private const string StageSuffix = ".segments";

    /// <summary>True for a path the hls muxer writes (<c>.m3u8</c>).</summary>
    public static bool IsPlaylist(string path) => Path.GetExtension(path).Equals(".m3u8", StringComparison.OrdinalIgnoreCase);

    /// <summary>The playlist the muxer writes (inside the staging folder).</summary>
    public string StagedPlaylist => Path.Combine(_folder, Path.GetFileName(_playlist));

    /// <summary>The hls muxer's <c>hls_segment_filename</c>: the segments' final names, inside the staging folder.</summary>
    public string SegmentPattern => Path.Combine(_folder, SegmentStem(_playlist) + "%d.ts");

    /// <summary>Creates the locked partial playlist and its staging folder, after removing stale stages of dead runs.</summary>
    public static HlsStaging Create(string playlist)
    {
        string partial = PartialFiles.Create(playlist); // removes stale partial playlists (their writer is gone)
        RemoveOrphanStages(playlist);
        return new HlsStaging(Path.GetFullPath(playlist), partial);
    }

    /// <summary>Why the segments of <paramref name="playlist"/> may not be written (existing ones, without overwrite); null when they may.</summary>
    public static string? Refusal(string playlist, bool overwrite)
    {
        if (overwrite) return null;
        var existing = Segments(Path.GetDirectoryName(Path.GetFullPath(playlist))!, SegmentStem(playlist)).FirstOrDefault();
        return existing is null ? null : $"HLS segment '{existing}' of '{playlist}' already exists; pass --overwrite to replace the playlist's segments";
    }

    /// <summary>Moves the finished segments into place, then the playlist (flushed, through its partial file).</summary>
    public void Commit(bool overwrite)
    {
        string dir = Path.GetDirectoryName(_playlist)!;
        var segments = Segments(_folder, SegmentStem(_playlist)).ToList();
        foreach (var name in segments)
        {
            string target = Path.Combine(dir, name);
            if (!overwrite && File.Exists(target))
                throw new OutputRefusedException($"HLS segment '{target}' appeared during the run; not replacing it without overwrite (output kept in '{_folder}')");
            using (var sync = new FileStream(Path.Combine(_folder, name), FileMode.Open, FileAccess.ReadWrite)) sync.Flush(flushToDisk: true);
        }
        foreach (var name in segments) File.Move(Path.Combine(_folder, name), Path.Combine(dir, name), overwrite);
        var handle = PartialFiles.Handle(_partial);
        using (var staged = File.OpenRead(StagedPlaylist)) staged.CopyTo(handle);
        PartialFiles.Commit(_partial, _playlist, overwrite);
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Removes the staging folder and the partial playlist (a failed or abandoned run).</summary>
    public void Discard()
    {
        PartialFiles.Discard(_partial);
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    // ffmpeg -f hls names segments after the playlist: out.m3u8 → out0.ts, out1.ts, …
    private static string SegmentStem(string playlist) => Path.GetFileNameWithoutExtension(playlist);

    private static IEnumerable<string> Segments(string dir, string stem)
    {
        if (!Directory.Exists(dir)) return [];
        var name = new Regex($"^{Regex.Escape(stem)}[0-9]+\\.ts$", RegexOptions.CultureInvariant);
        return Directory.EnumerateFiles(dir, stem + "*.ts").Select(Path.GetFileName).Where(n => n is not null && name.IsMatch(n)).Order(StringComparer.Ordinal)!;
    }

    // A stage whose partial playlist is gone belonged to a dead run (PartialFiles removed its stale partial).
    private static void RemoveOrphanStages(string playlist)
    {
        var live = PartialFiles.Find(playlist).Select(p => p + StageSuffix).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in Stages(playlist).Where(s => !live.Contains(s)))
        {
            try { Directory.Delete(stage, recursive: true); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* left for a later run */ }
        }
    }

    private static IEnumerable<string> Stages(string playlist)
    {
        string full = Path.GetFullPath(playlist);
        string dir = Path.GetDirectoryName(full)!;
        string pattern = $".{Path.GetFileNameWithoutExtension(full)}.*.partial{Path.GetExtension(full)}{StageSuffix}";
        try { return Directory.EnumerateDirectories(dir, pattern).ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return []; }
    }
}
