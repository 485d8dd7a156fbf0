using VideoConv.Core.Imaging;

namespace VideoConv.Core.Tests;

/// <summary>Deterministic test frames.</summary>
internal static class TestImages
{
    public static Image Random(int width, int height, int channels, int seed)
    {
        var img = new Image(width, height, channels);
        new Random(seed).NextBytes(img.Data);
        return img;
    }

    public static Image FromRows(int[][] rows)
    {
        var img = new Image(rows[0].Length, rows.Length, 1);
        for (int y = 0; y < rows.Length; y++)
            for (int x = 0; x < rows[y].Length; x++) img.At(y, x, 0) = (byte)rows[y][x];
        return img;
    }

    public static int[][] ToRows(Image img) =>
        Enumerable.Range(0, img.Height).Select(y => Enumerable.Range(0, img.Width).Select(x => (int)img.At(y, x, 0)).ToArray()).ToArray();

    /// <summary>Largest absolute difference between two images of one format.</summary>
    public static int MaxDifference(Image a, Image b)
    {
        Assert.Equal(a.Format, b.Format);
        int max = 0;
        for (int i = 0; i < a.Data.Length; i++) max = Math.Max(max, Math.Abs(a.Data[i] - b.Data[i]));
        return max;
    }

    /// <summary>First differing sample, for failure messages.</summary>
    public static string FirstDifference(Image a, Image b)
    {
        for (int i = 0; i < a.Data.Length; i++)
            if (a.Data[i] != b.Data[i])
            {
                int c = i % a.Channels, x = i / a.Channels % a.Width, y = i / a.Channels / a.Width;
                return $"first difference at (y={y}, x={x}, c={c}): {a.Data[i]} vs {b.Data[i]}";
            }
        return "identical";
    }
}
