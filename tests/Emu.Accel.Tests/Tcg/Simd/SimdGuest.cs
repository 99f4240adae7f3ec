using System.Buffers.Binary;
using Emu.Accel.Tcg;
using Emu.Core.Memory;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// A software CPU in 64-bit mode at CPL 0 over 16 MiB of identity-mapped RAM
/// (1 GiB pages), with a GDT and an IDT whose handlers record the vector
/// (plus one) at <see cref="ExceptionMarker"/>, save the x87/SSE state with
/// FXSAVE64 at [RDI] and halt. <see cref="Run"/> executes code until HLT.
/// </summary>
internal sealed unsafe class SimdGuest : IDisposable
{
    public const ulong Pml4 = 0x1000, Pdpt = 0x2000, Gdt = 0x3000, Idt = 0x4000, Stubs = 0x5000, ExceptionMarker = 0x6000;
    public const ulong StackTop = 0x80000, StateAddress = 0x100000, CodeAddress = 0x200000;
    public const ulong RamSize = 16 << 20;

    private readonly RamBlock _ram;
    private readonly MemoryTopology _topology = new();

    public SimdGuest()
    {
        _ram = new RamBlock("simd-test", RamSize);
        var root = MemoryRegion.CreateContainer("system", ulong.MaxValue);
        AddressSpace memory = _topology.CreateAddressSpace("memory", root);
        AddressSpace io = _topology.CreateAddressSpace("io", MemoryRegion.CreateContainer("io", 0x10000));
        root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0);
        var platform = new TcgPlatform();
        platform.Attach(memory, io);
        Cpu = new X86Cpu(0, platform, new CpuidModel("test", 1, x87AndSse: true));

        Write64(Pml4, Pdpt | 3);
        Write64(Pdpt, 0x83); // 1 GiB page at 0: present, writable, large
        Write64(Gdt + 8, 0x00AF_9A00_0000_FFFF); // 64-bit code, DPL 0
        Write64(Gdt + 16, 0x00CF_9200_0000_FFFF); // data
        for (int v = 0; v < 32; v++)
        {
            ulong stub = Stubs + (ulong)v * 64;
            var a = new Assembler(64);
            a.mov(__dword_ptr[(long)ExceptionMarker], v + 1);
            // FXSAVE must work whatever CR0 and CR4 the test set: clear EM and TS, set OSFXSR.
            a.mov(rax, cr0);
            a.and(rax, ~0xC);
            a.mov(cr0, rax);
            a.mov(rax, cr4);
            a.or(rax, 0x600);
            a.mov(cr4, rax);
            a.fxsave64(__[rdi]);
            a.hlt();
            WriteBytes(stub, Assemble(a, stub));
            ulong low = (stub & 0xFFFF) | (8UL << 16) | (0x8EUL << 40) | ((stub >> 16 & 0xFFFF) << 48);
            Write64(Idt + (ulong)v * 16, low);
            Write64(Idt + (ulong)v * 16 + 8, stub >> 32);
        }
        Reset();
    }

    public X86Cpu Cpu { get; }

    /// <summary>Puts the CPU in 64-bit mode with Linux's CR0 and CR4 bits for the FPU (NE, MP, OSFXSR, OSXMMEXCPT).</summary>
    public void Reset()
    {
        X86Cpu c = Cpu;
        c.PowerOnReset();
        c.Cr0 = X86Cpu.Cr0Pe | X86Cpu.Cr0Mp | X86Cpu.Cr0Et | X86Cpu.Cr0Ne | X86Cpu.Cr0Wp | X86Cpu.Cr0Pg;
        c.Cr3 = Pml4;
        c.Cr4 = X86Cpu.Cr4Pae | X86Cpu.Cr4Pge | X86Cpu.Cr4Osfxsr | X86Cpu.Cr4Osxmmexcpt;
        c.Efer = X86Cpu.EferLme | X86Cpu.EferLma | X86Cpu.EferSce | X86Cpu.EferNxe;
        c.GdtBase = Gdt;
        c.GdtLimit = 23;
        c.IdtBase = Idt;
        c.IdtLimit = 32 * 16 - 1;
        c.Cs = new SegmentRegister
        {
            Selector = 8, Base = 0, Limit = 0xFFFF_FFFF, Type = 0xB, CodeOrData = true, Present = true, Long = true, Granularity = true,
        };
        var data = new SegmentRegister
        {
            Selector = 16, Base = 0, Limit = 0xFFFF_FFFF, Type = 3, CodeOrData = true, Present = true, DefaultBig = true, Granularity = true,
        };
        for (int i = 0; i < 6; i++)
        {
            if (i != (int)SegmentIndex.Cs)
                c.Segments[i] = data;
        }
        c.SetRflags(2);
        c.UpdateMode();
        c.FlushTlb(includingGlobal: true);
    }

    /// <summary>Runs the code at <paramref name="rip"/> until it halts; returns the exception vector taken, or -1.</summary>
    public int Run(ulong rip, ulong rdi = StateAddress, int maxSteps = 100_000)
    {
        X86Cpu c = Cpu;
        Write64(ExceptionMarker, 0);
        c.Rip = rip;
        c.Rsp = StackTop;
        c.Rdi = rdi;
        c.Halted = false;
        for (int i = 0; i < maxSteps && !c.Halted; i++)
            c.Step();
        if (!c.Halted)
            throw new InvalidOperationException("guest code did not halt");
        return (int)Read64(ExceptionMarker) - 1;
    }

    public static byte[] Assemble(Assembler a, ulong rip)
    {
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
    }

    public Span<byte> Memory(ulong address, int length) => _ram.AsSpan(address, length);

    public void WriteBytes(ulong address, ReadOnlySpan<byte> bytes) => bytes.CopyTo(_ram.AsSpan(address, bytes.Length));

    public void Write64(ulong address, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(_ram.AsSpan(address, 8), value);

    public ulong Read64(ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(_ram.AsSpan(address, 8));

    public void Dispose() => _ram.Dispose();
}
