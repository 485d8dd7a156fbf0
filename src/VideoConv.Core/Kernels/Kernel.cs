namespace VideoConv.Core.Kernels;

/// <summary>An immutable kh × kw grid of weights, applied as a correlation (not flipped).</summary>
public sealed class Kernel : IEquatable<Kernel>
{
    /// <summary>Largest side accepted; bigger kernels are refused before anything is allocated.</summary>
    public const int MaxSide = 255;

    private readonly float[] _weights;

    public Kernel(int height, int width, ReadOnlySpan<float> weights)
    {
        if (height < 1 || width < 1)
            throw new FilterDefinitionException($"kernel must be at least 1x1, got {height}x{width}");
        if (height > MaxSide || width > MaxSide)
            throw new FilterDefinitionException($"kernel {height}x{width} is larger than the {MaxSide}x{MaxSide} limit");
        if (weights.Length != height * width)
            throw new FilterDefinitionException($"kernel {height}x{width} needs {height * width} weights, got {weights.Length}");
        foreach (var w in weights)
            if (!float.IsFinite(w))
                throw new FilterDefinitionException($"kernel weight {w} is not a finite number");
        Height = height;
        Width = width;
        _weights = weights.ToArray();
    }

    /// <summary>A kernel from its rows; all rows must have the same length.</summary>
    public static Kernel FromRows(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        if (rows.Count == 0) throw new FilterDefinitionException("kernel has no rows");
        int w = rows[0].Count;
        var data = new float[rows.Count * w];
        for (int y = 0; y < rows.Count; y++)
        {
            if (rows[y].Count != w)
                throw new FilterDefinitionException($"kernel is ragged: row {y + 1} has {rows[y].Count} values, row 1 has {w}");
            for (int x = 0; x < w; x++) data[y * w + x] = (float)rows[y][x];
        }
        return new Kernel(rows.Count, w, data);
    }

    /// <summary>A kernel from a rectangular array.</summary>
    public static Kernel FromArray(float[,] values)
    {
        int h = values.GetLength(0), w = values.GetLength(1);
        var data = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) data[y * w + x] = values[y, x];
        return new Kernel(h, w, data);
    }

    /// <summary>The outer product <c>column ⊗ row</c>: a kh × 1 column times a 1 × kw row.</summary>
    public static Kernel Outer(ReadOnlySpan<float> column, ReadOnlySpan<float> row)
    {
        var data = new float[column.Length * row.Length];
        for (int y = 0; y < column.Length; y++)
            for (int x = 0; x < row.Length; x++) data[y * row.Length + x] = column[y] * row[x];
        return new Kernel(column.Length, row.Length, data) { _column = column.ToArray(), _row = row.ToArray() };
    }

    // Factors given by whoever built the kernel (Outer); preferred to detection, which must reproduce weights bit for bit.
    private float[]? _column, _row;

    public int Height { get; }
    public int Width { get; }
    public ReadOnlySpan<float> Weights => _weights;
    public float this[int y, int x] => _weights[y * Width + x];

    /// <summary>The kernel with every weight multiplied by <paramref name="factor"/>.</summary>
    public Kernel Scaled(float factor)
    {
        if (factor == 1f) return this;
        var data = new float[_weights.Length];
        for (int i = 0; i < data.Length; i++) data[i] = _weights[i] * factor;
        var scaled = new Kernel(Height, Width, data);
        if (_column is not null && _row is not null)
        {
            // Keep given factors when scaling the column reproduces the scaled weights exactly.
            var column = _column.Select(c => c * factor).ToArray();
            bool exact = true;
            for (int y = 0; y < Height && exact; y++)
                for (int x = 0; x < Width && exact; x++) exact = column[y] * _row[x] == data[y * Width + x];
            if (exact) (scaled._column, scaled._row) = (column, _row);
        }
        return scaled;
    }

    /// <summary>True when every weight is an integer or a dyadic fraction k/2^n (n ≤ 16): sums of such weights times 8-bit pixels are exact in float32.</summary>
    public bool IsExactInFloat()
    {
        foreach (var w in _weights)
        {
            float scaled = w * 65536f;
            if (scaled != MathF.Round(scaled) || MathF.Abs(w) > 65536f) return false;
        }
        return true;
    }

    /// <summary>
    /// Splits a rank-one kernel into <c>column ⊗ row</c>. Succeeds only when the product reproduces
    /// every weight exactly, and — for kernels whose results are exact — only when both factors are
    /// themselves exact, so the two-pass path never changes a bit-exact result.
    /// </summary>
    public bool TrySeparate(out float[] column, out float[] row)
    {
        column = row = [];
        if (Height == 1 || Width == 1) return false; // already one pass
        if (_column is not null && _row is not null && (!IsExactInFloat() || (IsDyadic(_column) && IsDyadic(_row))))
        {
            column = _column;
            row = _row;
            return true;
        }
        // Pivot on the largest weight: the identity, zero rows and zero columns all keep a non-zero pivot.
        int pivot = 0;
        for (int i = 1; i < _weights.Length; i++)
            if (MathF.Abs(_weights[i]) > MathF.Abs(_weights[pivot])) pivot = i;
        float p = _weights[pivot];
        if (p == 0f) return false;
        int py = pivot / Width, px = pivot % Width;
        var col = new float[Height];
        var r = new float[Width];
        if (IsExactInFloat())
        {
            // Exact weights: split in integers (×2^16), so both factors stay exact: col = a / g, row = b·g / p,
            // with a the pivot column, b the pivot row and g = gcd(a); b·g / p is integral for a rank-one kernel.
            const float unit = 65536f;
            var a = new long[Height];
            long g = 0, pi = (long)(p * unit);
            for (int y = 0; y < Height; y++) g = Gcd(g, Math.Abs(a[y] = (long)(this[y, px] * unit)));
            for (int y = 0; y < Height; y++) col[y] = a[y] / g;
            for (int x = 0; x < Width; x++)
            {
                long bx = (long)(this[py, x] * unit) * g;
                if (bx % pi != 0) return false;
                r[x] = (float)(bx / pi) / unit;
            }
        }
        else
        {
            for (int y = 0; y < Height; y++) col[y] = this[y, px];
            for (int x = 0; x < Width; x++) r[x] = this[py, x] / p;
        }
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (col[y] * r[x] != this[y, x]) return false;
        if (IsExactInFloat() && !(IsDyadic(col) && IsDyadic(r))) return false;
        column = col;
        row = r;
        return true;

        static long Gcd(long x, long y)
        {
            while (y != 0) (x, y) = (y, x % y);
            return x;
        }

        static bool IsDyadic(float[] v)
        {
            foreach (var w in v)
            {
                float s = w * 65536f;
                if (s != MathF.Round(s) || MathF.Abs(w) >= 32768f) return false;
            }
            return true;
        }
    }

    public bool Equals(Kernel? other) =>
        other is not null && Height == other.Height && Width == other.Width && Weights.SequenceEqual(other.Weights);

    public override bool Equals(object? obj) => Equals(obj as Kernel);
    public override int GetHashCode() => HashCode.Combine(Height, Width, _weights.Length > 0 ? _weights[0] : 0);

    public override string ToString() => $"{Height}x{Width} kernel";
}
