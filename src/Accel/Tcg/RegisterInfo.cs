using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// For every Iced register: its kind, its number in that kind (RAX=0 ...
/// R15=15, ES=0 ... GS=5, CR0..CR15, XMM0..XMM15, MM0..MM7, ST0..ST7), its
/// size, and whether it is one of AH, CH, DH, BH (bits 15:8 of a register).
/// Worked out once so operand access is a table lookup.
/// </summary>
internal static class RegisterInfo
{
    private static readonly int s_count = Enum.GetValues<Register>().Max(r => (int)r) + 1;
    private static readonly RegisterKind[] s_kind = new RegisterKind[s_count];
    private static readonly byte[] s_number = new byte[s_count];
    private static readonly byte[] s_size = new byte[s_count];
    private static readonly bool[] s_high = new bool[s_count];

    static RegisterInfo()
    {
        for (int i = 0; i < s_kind.Length; i++)
        {
            var r = (Register)i;
            if (r == Register.None)
                continue;
            if (r.IsGPR())
            {
                s_kind[i] = RegisterKind.Gpr;
                s_size[i] = (byte)r.GetSize();
                s_high[i] = r is Register.AH or Register.CH or Register.DH or Register.BH;
                s_number[i] = s_high[i] ? (byte)(r - Register.AH) : (byte)(r.GetFullRegister() - Register.RAX);
            }
            else if (r.IsSegmentRegister())
            {
                s_kind[i] = RegisterKind.Segment;
                s_number[i] = (byte)(r - Register.ES);
                s_size[i] = 2;
            }
            else if (r.IsCR())
            {
                s_kind[i] = RegisterKind.Control;
                s_number[i] = (byte)(r - Register.CR0);
                s_size[i] = 8;
            }
            else if (r.IsDR())
            {
                s_kind[i] = RegisterKind.Debug;
                s_number[i] = (byte)(r - Register.DR0);
                s_size[i] = 8;
            }
            else if (r.IsXMM() && r - Register.XMM0 < 16)
            {
                s_kind[i] = RegisterKind.Xmm;
                s_number[i] = (byte)(r - Register.XMM0);
                s_size[i] = 16;
            }
            else if (r.IsMM())
            {
                s_kind[i] = RegisterKind.Mmx;
                s_number[i] = (byte)(r - Register.MM0);
                s_size[i] = 8;
            }
            else if (r.IsST())
            {
                s_kind[i] = RegisterKind.St;
                s_number[i] = (byte)(r - Register.ST0);
                s_size[i] = 10;
            }
            else if (r.IsIP())
            {
                s_kind[i] = RegisterKind.InstructionPointer;
                s_size[i] = (byte)r.GetSize();
            }
        }
        for (int i = 0; i < s_count; i++)
            s_packed[i] = (ushort)((s_number[i] & 15) | (s_size[i] << 4) | (s_high[i] ? 0x100 : 0));
    }

    public static RegisterKind Kind(Register r) => s_kind[(int)r];

    public static int Number(Register r) => s_number[(int)r];

    public static int Size(Register r) => s_size[(int)r];

    public static bool IsHigh8(Register r) => s_high[(int)r];

    /// <summary>A general register in one word: number in bits 3:0, size in bytes in bits 7:4, bit 8 for AH..BH.</summary>
    public static int PackedGpr(Register r) => s_packed[(int)r];

    private static readonly ushort[] s_packed = new ushort[s_count];
}
