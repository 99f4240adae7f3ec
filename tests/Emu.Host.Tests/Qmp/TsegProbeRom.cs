namespace Emu.Host.Tests.Qmp;

/// <summary>
/// A guest that asks the Q35 MCH for its extended TSEG the way firmware does
/// (OVMF's SmmAccess): write 0xFFFF to config register 0x50 of 00:00.0, read
/// the register back, and report the answer ORed with 0x40 through
/// isa-debug-exit at 0xF4, so the exit status is ((0x40 | MiB) &lt;&lt; 1) | 1:
/// 161 for 16 MiB, 129 for none (never 1, emu's own failure status).
/// </summary>
internal static class TsegProbeRom
{
    public static readonly byte[] Code =
    {
        0xBA, 0xF8, 0x0C,                         // mov dx, 0xcf8
        0x66, 0xB8, 0x50, 0x00, 0x00, 0x80,       // mov eax, 0x80000050 (bus 0, device 0, function 0, register 0x50)
        0x66, 0xEF,                               // out dx, eax
        0xBA, 0xFC, 0x0C,                         // mov dx, 0xcfc
        0xB8, 0xFF, 0xFF,                         // mov ax, 0xffff
        0xEF,                                     // out dx, ax
        0xED,                                     // in ax, dx
        0x0C, 0x40,                               // or al, 0x40
        0xE6, 0xF4,                               // out 0xf4, al
        0xF4, 0xEB, 0xFD,                         // hlt; jmp hlt
    };

    public static int ExitStatusFor(int mbytes) => ((0x40 | mbytes) << 1) | 1;
}
