namespace Emu.Core.Cpu;

/// <summary>GDTR or IDTR.</summary>
public struct X86DescriptorTable
{
    public ulong Base;
    public ushort Limit;
}
