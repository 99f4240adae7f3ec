using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>kvm_run.io: a port access; the data lives at <see cref="DataOffset"/> bytes into the kvm_run page.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRunIoExit
{
    public byte Direction;
    public byte Size;
    public ushort Port;
    public uint Count;
    public ulong DataOffset;

    public const byte DirectionIn = 0;
    public const byte DirectionOut = 1;
}
