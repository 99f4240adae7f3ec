namespace Emu.Devices.Virtio;

/// <summary>
/// One buffer of a validated chain: its guest address, length, direction, and
/// where it is in the host's mapping of guest RAM (checked when the chain was
/// taken; the span stays valid while the machine runs, as guest RAM never moves).
/// </summary>
public readonly unsafe struct VirtqSegment
{
    private readonly byte* _host;

    internal VirtqSegment(ulong guestAddress, byte* host, uint length, bool writable)
    {
        GuestAddress = guestAddress;
        _host = host;
        Length = length;
        Writable = writable;
    }

    public ulong GuestAddress { get; }

    public uint Length { get; }

    /// <summary>The device writes this buffer (VIRTQ_DESC_F_WRITE).</summary>
    public bool Writable { get; }

    /// <summary>Host address of the buffer's first byte.</summary>
    public nint HostAddress => (nint)_host;

    /// <summary>The buffer's bytes in guest RAM (the guest may change them concurrently).</summary>
    public Span<byte> Span => new(_host, (int)Length);
}
