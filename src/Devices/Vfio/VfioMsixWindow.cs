using Emu.Core.Memory;

namespace Emu.Devices.Vfio;

/// <summary>
/// The trapped MSI-X table (or PBA) page window of a passed-through BAR, in
/// front of the emulated capability. "For all accesses to MSI-X Table and
/// MSI-X PBA fields, software must use aligned full DWORD or aligned full
/// QWORD transactions" (PCI Local Bus 3.0, 6.8.2): any other access is
/// ignored (reads return zeros) and counted. Allocation-free.
/// </summary>
internal sealed class VfioMsixWindow : IIoHandler
{
    private readonly IIoHandler _inner;
    private long _ignored;

    public VfioMsixWindow(IIoHandler inner) => _inner = inner;

    /// <summary>Accesses dropped for not being an aligned 4- or 8-byte access.</summary>
    public long IgnoredAccesses => Interlocked.Read(ref _ignored);

    public void Read(ulong offset, Span<byte> data)
    {
        if (!IsAligned(offset, data.Length))
        {
            Interlocked.Increment(ref _ignored);
            data.Clear();
            return;
        }
        _inner.Read(offset, data);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (!IsAligned(offset, data.Length))
        {
            Interlocked.Increment(ref _ignored);
            return;
        }
        _inner.Write(offset, data);
    }

    private static bool IsAligned(ulong offset, int length) => (length == 4 || length == 8) && (offset & (ulong)(length - 1)) == 0;
}
