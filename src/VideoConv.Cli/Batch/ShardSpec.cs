using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Batch;

/// <summary>
/// Which share of a batch this process does: shard <see cref="Index"/> of <see cref="Count"/>. An item's shard
/// is a jump consistent hash of its own key (its path relative to the input folder), never its position in the
/// list, so adding files moves none of the others and changing the count moves only about 1/count of them.
/// </summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The Kubernetes Indexed Job variable that numbers each pod.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>Our variable for the shard count (the Job's <c>completions</c>).</summary>
    public const string CountVariable = "VIDEOCONV_SHARDS";

    public static ShardSpec Whole => new(0, 1);

    public bool IsSharded => Count > 1;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// The shard from <c>--shard</c> (INDEX/COUNT, or INDEX alone with the count from the environment), else from
    /// <c>JOB_COMPLETION_INDEX</c> and <c>VIDEOCONV_SHARDS</c>; null when none of them is set (an ordinary batch).
    /// </summary>
    public static ShardSpec? Resolve(string? option, Func<string, string?> environment)
    {
        string? envIndex = environment(IndexVariable), envCount = environment(CountVariable);
        string? indexText = null, countText = null, origin = "--shard";
        if (option is not null)
        {
            int slash = option.IndexOf('/');
            (indexText, countText) = slash >= 0 ? (option[..slash], option[(slash + 1)..]) : (option, envCount);
            if (slash < 0 && countText is null)
                throw new UsageException($"--shard {option} needs a count: --shard INDEX/COUNT (or set {CountVariable})");
        }
        else if (envCount is not null)
        {
            (indexText, countText, origin) = (envIndex, envCount, $"{IndexVariable}/{CountVariable}");
            if (indexText is null) throw new UsageException($"{CountVariable} is set but {IndexVariable} is not; pass --shard INDEX/COUNT");
        }
        else return null;
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1 || count > 100_000)
            throw new UsageException($"{origin}: the shard count must be a whole number from 1 to 100000, got '{countText}'");
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= count)
            throw new UsageException($"{origin}: the shard index must be a whole number from 0 to {count - 1}, got '{indexText}'");
        return new ShardSpec(index, count);
    }

    /// <summary>The shard, from 0 to <paramref name="count"/> − 1, that owns the item with <paramref name="key"/>.</summary>
    public static int Of(string key, int count)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        return JumpHash(BitConverter.ToUInt64(digest[..8]), count);
    }

    public bool Owns(string key) => Of(key, Count) == Index;

    /// <summary>Lamping and Veach's jump consistent hash (arXiv:1406.2294): a bucket in [0, buckets).</summary>
    private static int JumpHash(ulong key, int buckets)
    {
        long b = -1, j = 0;
        while (j < buckets)
        {
            b = j;
            key = key * 2862933555777941757UL + 1;
            j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }
        return (int)b;
    }
}
