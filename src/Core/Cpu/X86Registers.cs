namespace Emu.Core.Cpu;

/// <summary>The general-purpose registers, instruction pointer and flags of an x86-64 vCPU.</summary>
public struct X86Registers
{
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}
