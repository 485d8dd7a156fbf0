namespace VideoConv.Core.Convolution;

/// <summary>OpenCV's <c>saturate_cast&lt;uchar&gt;</c>: round half to even, then clamp to [0, 255].</summary>
public static class Saturate
{
    public static byte ToByte(double value)
    {
        double r = Math.Round(value, MidpointRounding.ToEven);
        return r <= 0 ? (byte)0 : r >= 255 ? (byte)255 : (byte)r;
    }

    public static byte ToByte(float value)
    {
        float r = MathF.Round(value, MidpointRounding.ToEven);
        return r <= 0 ? (byte)0 : r >= 255 ? (byte)255 : (byte)r;
    }
}
