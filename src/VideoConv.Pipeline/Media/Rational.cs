using System.Runtime.InteropServices;

namespace VideoConv.Pipeline.Media;

/// <summary>A time base or rate as FFmpeg's <c>AVRational</c> (same layout): <c>Num/Den</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct Rational(int Num, int Den)
{
    public double Value => Den == 0 ? 0 : (double)Num / Den;
    public bool IsValid => Num > 0 && Den > 0;
    public Rational Inverse => new(Den, Num);

    /// <summary>The time base of a source without timestamps: one tick per frame at <paramref name="fps"/> (29.97 → 1001/30000).</summary>
    public static Rational FrameTicks(double fps)
    {
        if (!(fps > 0) || !double.IsFinite(fps)) return new Rational(1, 30);
        double ntsc = fps * 1001 / 1000; // 29.97 → 30, 23.976 → 24
        if (Math.Abs(ntsc - Math.Round(ntsc)) < 1e-3 && Math.Abs(fps - Math.Round(fps)) > 1e-3)
            return new Rational(1001, (int)Math.Round(ntsc) * 1000);
        for (int d = 1; d <= 1000; d++)
        {
            double n = fps * d;
            if (Math.Abs(n - Math.Round(n)) < 1e-6) return new Rational(d, (int)Math.Round(n));
        }
        return new Rational(1000, (int)Math.Round(fps * 1000));
    }

    /// <summary><c>av_rescale_q</c> with round-to-nearest (halves away from zero), in 128-bit integers.</summary>
    public static long Rescale(long value, Rational from, Rational to)
    {
        Int128 num = (Int128)value * from.Num * to.Den, den = (Int128)from.Den * to.Num;
        Int128 half = den / 2;
        return (long)(num >= 0 ? (num + half) / den : -((-num + half) / den));
    }

    public override string ToString() => $"{Num}/{Den}";
}
