using System.Security.Cryptography;

namespace VideoConv.Cli.Batch;

/// <summary>
/// One segment of a long input: the video packets [<see cref="FirstPacket"/>, <see cref="FirstPacket"/> +
/// <see cref="Packets"/>) in decode order, starting at a keyframe that no later packet precedes in time, so the
/// segments decode to exactly the frames of the whole file, in order, each frame once.
/// </summary>
public sealed record SegmentCut(int Index, int FirstPacket, int Packets, double StartSeconds, double EndSeconds, double? SeekSeconds, double? SeekLateSeconds, string SizesDigest)
{
    /// <summary>
    /// The segments of a file whose video packets are <paramref name="packets"/>: a cut at the first clean keyframe at
    /// or after each multiple of <paramref name="seconds"/> (one segment when none qualifies).
    /// </summary>
    public static IReadOnlyList<SegmentCut> Plan(long tbNum, long tbDen, IReadOnlyList<VideoPacket> packets, double seconds)
    {
        double Seconds(long pts) => (double)pts * tbNum / tbDen;
        int n = packets.Count;
        // A keyframe is a clean cut when every packet before it shows earlier and every packet after it later.
        var maxBefore = new long[n + 1];
        maxBefore[0] = long.MinValue;
        for (int i = 0; i < n; i++) maxBefore[i + 1] = Math.Max(maxBefore[i], packets[i].Pts);
        var minFrom = new long[n + 1];
        minFrom[n] = long.MaxValue;
        for (int i = n - 1; i >= 0; i--) minFrom[i] = Math.Min(minFrom[i + 1], packets[i].Pts);
        long origin = minFrom[0];
        var starts = new List<int> { 0 };
        for (int i = 1; i < n; i++)
        {
            var p = packets[i];
            if (!p.Key || maxBefore[i] >= p.Pts || minFrom[i] < p.Pts) continue;
            if (Seconds(p.Pts - origin) >= seconds * starts.Count - 1e-9 && Seconds(p.Pts - packets[starts[^1]].Pts) >= seconds / 2) starts.Add(i);
        }
        // The last segment is not left much shorter than half a segment: its cut moves back into the one before.
        if (starts.Count > 1 && Seconds(maxBefore[n] - packets[starts[^1]].Pts) < seconds / 2) starts.RemoveAt(starts.Count - 1);
        var cuts = new List<SegmentCut>();
        for (int s = 0; s < starts.Count; s++)
        {
            int first = starts[s], end = s + 1 < starts.Count ? starts[s + 1] : n;
            long startPts = packets[first].Pts;
            // The next frame shown after the keyframe: a backward seek to halfway there lands on the keyframe itself.
            long next = long.MaxValue;
            for (int i = first + 1; i < end; i++) if (packets[i].Pts > startPts) next = Math.Min(next, packets[i].Pts);
            double half = next == long.MaxValue ? 0.001 : Seconds(next - startPts) / 2;
            double? seek = s == 0 ? null : Seconds(startPts) + half;
            // Demuxers that seek by decode time step back 3/23 s first when frames are reordered (FFmpeg's heuristic).
            double? late = s == 0 ? null : seek + 3.0 / 23;
            double endSeconds = end < n ? Seconds(packets[end].Pts - origin) : Seconds(maxBefore[n] - origin) + 2 * half;
            cuts.Add(new SegmentCut(s, first, end - first, Seconds(startPts - origin), endSeconds, seek, late, Digest(packets, first, end - first)));
        }
        return cuts;
    }

    /// <summary>A digest of the packets' sizes: a cut holding other packets than planned does not match it.</summary>
    public static string Digest(IReadOnlyList<VideoPacket> packets, int first, int count)
    {
        var sizes = new byte[count * 4];
        for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(sizes.AsSpan(i * 4), packets[first + i].Size);
        return Convert.ToHexStringLower(SHA256.HashData(sizes))[..16];
    }
}
