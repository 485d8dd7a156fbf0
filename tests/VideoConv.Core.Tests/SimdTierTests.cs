using VideoConv.Core.Convolution;

namespace VideoConv.Core.Tests;

/// <summary>
/// The test script re-runs this suite with <c>DOTNET_EnableAVX512=0</c> (the .NET 10 name: <c>EnableAVX512F</c>
/// no longer switches AVX-512 off — checked on an AVX-512 Xeon), <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c>, so every oracle test also runs on the 256-bit, 128-bit and scalar
/// tiers. This test proves each re-run really used the tier it asked for.
/// </summary>
public class SimdTierTests
{
    [Fact]
    public void VectorBits_UnderTierSwitches_IsTheRequestedTier()
    {
        static bool Off(string name) => Environment.GetEnvironmentVariable("DOTNET_" + name) == "0";
        int bits = RowOps.VectorBits;
        if (Off("EnableHWIntrinsic")) Assert.Equal(0, bits);
        else if (Off("EnableAVX2") || Off("EnableAVX")) Assert.Equal(128, bits);
        else if (Off("EnableAVX512")) Assert.True(bits <= 256, $"AVX-512 is off but the engine uses {bits}-bit vectors");
        else Assert.True(bits >= 128, $"no vector tier on a machine where .NET accelerates vectors: {bits}");
    }
}
