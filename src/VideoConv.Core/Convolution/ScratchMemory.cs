using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A worker thread's scratch buffers: pinned, 64-byte aligned (a cache line, so a vector load or store never
/// straddles two because of where the buffer happened to land) and with 64 bytes of slack past the end
/// (vector loads near a row's end may touch, never use, a few elements past it).
/// </summary>
internal sealed unsafe class ScratchMemory
{
    public const int Alignment = 64;
    private readonly List<byte[]> _keepAlive = [];

    public T* Alloc<T>(long count) where T : unmanaged
    {
        var bytes = GC.AllocateArray<byte>(checked((int)(count * sizeof(T) + 2 * Alignment)), pinned: true);
        _keepAlive.Add(bytes);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes));
        return (T*)((p + Alignment - 1) & ~(nint)(Alignment - 1));
    }

    /// <summary>Elements of <typeparamref name="T"/> per row so that every row of a ring starts on a cache line.</summary>
    public static int Stride<T>(int count) where T : unmanaged
    {
        int perLine = Alignment / sizeof(T);
        return checked((count + perLine - 1) / perLine * perLine);
    }
}
