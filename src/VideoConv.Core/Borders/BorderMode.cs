namespace VideoConv.Core.Borders;

/// <summary>How pixels outside the frame are made up; the same definitions as OpenCV's <c>BorderTypes</c>.</summary>
public enum BorderMode
{
    /// <summary><c>iiiiii|abcdefgh|iiiiiii</c> with a fixed value i.</summary>
    Constant,
    /// <summary><c>aaaaaa|abcdefgh|hhhhhhh</c>.</summary>
    Replicate,
    /// <summary><c>fedcba|abcdefgh|hgfedcb</c>.</summary>
    Reflect,
    /// <summary><c>gfedcb|abcdefgh|gfedcba</c> (OpenCV's default).</summary>
    Reflect101,
    /// <summary><c>cdefgh|abcdefgh|abcdefg</c>.</summary>
    Wrap,
}

/// <summary>Maps a coordinate outside <c>[0, length)</c> back into the frame.</summary>
public static class BorderIndex
{
    /// <summary>The source index for <paramref name="p"/>, or -1 for <see cref="BorderMode.Constant"/> outside the frame.</summary>
    /// <remarks>Loops for reflections so that frames smaller than the kernel fold back exactly as OpenCV's <c>borderInterpolate</c>.</remarks>
    public static int Map(int p, int length, BorderMode mode)
    {
        if ((uint)p < (uint)length) return p;
        switch (mode)
        {
            case BorderMode.Constant:
                return -1;
            case BorderMode.Replicate:
                return p < 0 ? 0 : length - 1;
            case BorderMode.Reflect:
            case BorderMode.Reflect101:
                if (length == 1) return 0;
                int delta = mode == BorderMode.Reflect101 ? 1 : 0;
                do
                {
                    p = p < 0 ? -p - 1 + delta : length - 1 - (p - length) - delta;
                } while ((uint)p >= (uint)length);
                return p;
            case BorderMode.Wrap:
                p %= length;
                return p < 0 ? p + length : p;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }
    }

    /// <summary>Source indices for padded positions <c>start .. start+count-1</c>; built once per (size, kernel) so inner loops never branch on borders.</summary>
    public static int[] Table(int start, int count, int length, BorderMode mode)
    {
        var table = new int[count];
        for (int i = 0; i < count; i++) table[i] = Map(start + i, length, mode);
        return table;
    }
}
