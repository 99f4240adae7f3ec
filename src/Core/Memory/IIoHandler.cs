namespace Emu.Core.Memory;

/// <summary>
/// A device's register window in an address space (MMIO or I/O ports).
/// Offsets are relative to the start of the region; the data span is the
/// access itself (1, 2, 4 or 8 bytes for CPU accesses, little-endian).
/// Implementations must not allocate and must treat every offset and value as
/// guest-controlled: unknown registers read as zeros or all-ones and ignore writes.
/// </summary>
public interface IIoHandler
{
    void Read(ulong offset, Span<byte> data);

    void Write(ulong offset, ReadOnlySpan<byte> data);
}
