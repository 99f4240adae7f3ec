using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// The fixed head of struct kvm_run, the page shared between KVM and the VMM
/// for each vCPU. The exit-reason-specific union starts at offset 32; its
/// variants are the <c>KvmRun*Exit</c> structs.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct KvmRun
{
    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(8)] public uint ExitReason;
    [FieldOffset(12)] public byte ReadyForInterruptInjection;
    [FieldOffset(13)] public byte IfFlag;
    [FieldOffset(14)] public ushort Flags;
    [FieldOffset(16)] public ulong Cr8;
    [FieldOffset(24)] public ulong ApicBase;

    [FieldOffset(32)] public KvmRunIoExit Io;
    [FieldOffset(32)] public KvmRunMmioExit Mmio;
    [FieldOffset(32)] public KvmRunSystemEventExit SystemEvent;
    [FieldOffset(32)] public KvmRunInternalErrorExit Internal;
    [FieldOffset(32)] public KvmRunFailEntryExit FailEntry;

    public const int ExitUnionOffset = 32;

    public const uint ExitUnknown = 0;
    public const uint ExitException = 1;
    public const uint ExitIo = 2;
    public const uint ExitHypercall = 3;
    public const uint ExitDebug = 4;
    public const uint ExitHlt = 5;
    public const uint ExitMmio = 6;
    public const uint ExitIrqWindowOpen = 7;
    public const uint ExitShutdown = 8;
    public const uint ExitFailEntry = 9;
    public const uint ExitIntr = 10;
    public const uint ExitInternalError = 17;
    public const uint ExitSystemEvent = 24;
}
