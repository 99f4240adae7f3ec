namespace Emu.Core.Memory;

/// <summary>An access to guest memory outside guest RAM (or wrapping past 2^64).</summary>
public sealed class GuestMemoryException : Exception
{
    public GuestMemoryException(GuestAddress address, ulong length)
        : base($"guest memory access [{address}, +0x{length:x}) is outside guest RAM")
    {
        Address = address;
        Length = length;
    }

    public GuestAddress Address { get; }

    public ulong Length { get; }
}
