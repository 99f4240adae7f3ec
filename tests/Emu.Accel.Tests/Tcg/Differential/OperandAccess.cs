using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>Reads and sets the initial value of a generated instruction's register or memory operand in a <see cref="CaseState"/>.</summary>
internal static class OperandAccess
{
    /// <summary>The width in bytes of operand <paramref name="n"/> (a register's, or the memory operand's).</summary>
    public static int Size(GeneratedInstruction g, int n) =>
        g.Instruction.GetOpKind(n) == OpKind.Register ? g.Instruction.GetOpRegister(n).GetSize() : g.MemorySize;

    public static ulong Get(CaseState s, GeneratedInstruction g, int n)
    {
        if (g.Instruction.GetOpKind(n) == OpKind.Register)
            return GetRegister(s, g.Instruction.GetOpRegister(n));
        return s.ReadData(g.MemoryOffset ?? 0, Math.Min(g.MemorySize, 8));
    }

    public static void Set(CaseState s, GeneratedInstruction g, int n, ulong value)
    {
        if (g.Instruction.GetOpKind(n) == OpKind.Register)
            SetRegister(s, g.Instruction.GetOpRegister(n), value);
        else
            s.Patch(g.MemoryOffset ?? 0, value, Math.Min(g.MemorySize, 8));
    }

    public static ulong GetRegister(CaseState s, Register r)
    {
        (int index, int shift, ulong mask) = Locate(r);
        return (s.Registers[index] >> shift) & mask;
    }

    /// <summary>Sets the bits of a register operand (the rest of the 64-bit register keeps its random value).</summary>
    public static void SetRegister(CaseState s, Register r, ulong value)
    {
        (int index, int shift, ulong mask) = Locate(r);
        s.Set(index, (s.Registers[index] & ~(mask << shift)) | ((value & mask) << shift));
    }

    private static (int Index, int Shift, ulong Mask) Locate(Register r)
    {
        int index = r.GetFullRegister() - Register.RAX;
        bool high = r is Register.AH or Register.CH or Register.DH or Register.BH;
        return (index, high ? 8 : 0, OperandValues.Mask(r.GetSize()));
    }
}
