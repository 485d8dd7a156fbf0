namespace VideoConv.Core.Convolution;

/// <summary>Facts about the engine in this process, for reports.</summary>
public static class EngineInfo
{
    /// <summary>Widest vector tier in use: 512, 256, 128 or 0 (scalar only).</summary>
    public static int VectorBits => RowOps.VectorBits;
}
