using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_ioeventfd: a guest write to an address signals an eventfd instead of exiting.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmIoeventfd
{
    public ulong Datamatch;
    public ulong Addr;
    public uint Len;
    public int Fd;
    public uint Flags;
    public fixed byte Pad[36];

    public const uint FlagDatamatch = 1 << 0;
    public const uint FlagPio = 1 << 1;
    public const uint FlagDeassign = 1 << 2;
}
