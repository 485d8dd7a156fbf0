using VideoConv.Core.Convolution;

namespace VideoConv.Core.Tests;

/// <summary>
/// <see cref="FixedPointRowOps.DirectStore"/>, the one-pass integer kernels' row loop, called directly at the widths
/// of each of its loops: 512-bit steps of 128 (AVX-512 machines), 256-bit steps of 64 and 32, 128-bit steps of 16,
/// and the scalar tail. Under the test script's tier switches the same widths run on every tier.
/// </summary>
public unsafe class DirectStoreTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(191)]
    [InlineData(256)]
    [InlineData(1920)]
    [InlineData(5761)]
    public void DirectStore_EveryWidth_RoundsHalfToEvenAndSaturatesAsTheFormula(int n)
    {
        const int taps = 9;
        var rng = new Random(n + 1);
        byte** rowPointers = stackalloc byte*[taps];
        foreach (bool signed in new[] { true, false })
            foreach (int shift in new[] { 0, 1, 4, 8 })
            {
                // Weights ±1 (the add-only branches) and others; unsigned sums need non-negative weights. Nine taps of
                // |w| ≤ 8 keep every sum inside 16 bits, as the plans guarantee.
                short[] weights = [.. Enumerable.Range(0, taps).Select(t => (short)(t switch
                {
                    0 => 1,
                    1 => signed ? -1 : 1,
                    _ => signed ? rng.Next(-8, 9) : rng.Next(0, 9),
                }))];
                short bias = (short)(shift == 0 ? 0 : rng.Next(0, 1 << shift));
                int stride = n + 64; // each tap's row, with slack past its end for the vector loads
                var samples = new byte[taps * stride];
                rng.NextBytes(samples);
                var actual = new byte[n + 1];
                actual[n] = 0xA5; // a sentinel past the end
                fixed (byte* rows = samples)
                fixed (short* w = weights)
                fixed (byte* dst = actual)
                {
                    for (int t = 0; t < taps; t++) rowPointers[t] = rows + t * stride;
                    FixedPointRowOps.DirectStore(rowPointers, w, taps, bias, shift, signed, dst, n);
                }
                for (int i = 0; i < n; i++)
                {
                    int sum = bias;
                    for (int t = 0; t < taps; t++) sum += weights[t] * samples[t * stride + i];
                    Assert.True(Expected(sum, shift) == actual[i], $"n {n}, signed {signed}, shift {shift}, i {i}: sum {sum} gave {actual[i]}, expected {Expected(sum, shift)}");
                }
                Assert.Equal(0xA5, actual[n]);
            }
    }

    // round_half_even(sum / 2^shift), saturated to a byte.
    private static byte Expected(int sum, int shift)
    {
        int q = sum >> shift, r = sum - (q << shift);
        if (shift > 0 && (r > 1 << (shift - 1) || (r == 1 << (shift - 1) && (q & 1) != 0))) q++;
        return (byte)Math.Clamp(q, 0, 255);
    }
}
