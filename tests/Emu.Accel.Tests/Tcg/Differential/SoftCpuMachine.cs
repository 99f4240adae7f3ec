using System.Buffers.Binary;
using Emu.Accel.Tcg;
using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// The software CPU set up as a 64-bit user process: guest RAM, 4-level page
/// tables that map the test's code and data pages (user, writable; data not
/// executable) and a supervisor-only system area (GDT, TSS, IDT, kernel
/// stack), and nothing else, so that a stray access is a #PF as it is a
/// SIGSEGV natively. CS:RIP starts at CPL 3 in a 64-bit code segment.
///
/// IDT entry v points at <see cref="HandlerBase"/> + 16 v, where a HLT
/// waits: when the CPU has delivered an exception (switching to CPL 0 and
/// the TSS's RSP0) it halts there, the vector is where it halted, and the
/// interrupted state is the frame it pushed (SDM vol. 3A, 6.14.2: SS, RSP,
/// RFLAGS, CS, RIP, then the error code if there is one).
/// </summary>
internal sealed class SoftCpuMachine : IDisposable
{
    public const ulong RamSize = 0x40_0000;

    // Guest-physical layout.
    public const ulong PageTableStart = 0x1000, PageTableLimit = 0x8_0000;
    public const ulong CodePhysical = 0x10_0000, DataPhysical = 0x11_0000, SystemPhysical = 0x12_0000;

    /// <summary>Free RAM for tests that map more (the hostile-guest tests).</summary>
    public const ulong ScratchPhysical = 0x20_0000;

    // The supervisor-only system area: GDT at +0, TSS at +0x100, IDT at +0x1000, the kernel stack's top at +0x4000,
    // the handlers (HLT every 16 bytes) in their own page; in the upper half, where Linux keeps its kernel, so that a
    // user access there is a #PF on both sides.
    public const ulong SystemLinear = 0xFFFF_FFFF_8000_0000;
    public const ulong GdtLinear = SystemLinear, TssLinear = SystemLinear + 0x100, IdtLinear = SystemLinear + 0x1000;
    public const ulong KernelStackTop = SystemLinear + 0x4000;
    public const ulong HandlerBase = SystemLinear + 0x1_0000;

    // User code and data have Linux's selectors (0x33, 0x2B), which a program can read (MOV r/m, Sreg); DS, ES, FS
    // and GS are 0 as under Linux. The kernel's selectors are this machine's own.
    public const ushort KernelCode = 0x08, KernelData = 0x10, UserData = 0x2B, UserCode = 0x33, TssSelector = 0x40;

    // CR0: PE, MP, ET, NE, WP, PG; CR4: PAE; EFER: LME, LMA, NXE.
    private const ulong Cr0 = 0x8001_0033, Cr4 = 0x20, Efer = 0xD00;

    private readonly MemoryTopology _topology = new();
    private readonly X86SpecialRegisters _user;

    public SoftCpuMachine(IIoHandler? device = null, ulong deviceAddress = 0xE000_0000, ulong deviceSize = 0x1000)
    {
        Ram = new RamBlock("difftest-ram", RamSize);
        var root = MemoryRegion.CreateContainer("system", ulong.MaxValue);
        Memory = _topology.CreateAddressSpace("memory", root);
        Io = _topology.CreateAddressSpace("io", MemoryRegion.CreateContainer("io", 0x10000));
        root.AddSubregion(MemoryRegion.CreateRam("ram", Ram), 0);
        if (device != null)
            root.AddSubregion(MemoryRegion.CreateIo("device", deviceSize, device), deviceAddress);
        Platform = new TcgPlatform();
        Platform.Attach(Memory, Io);
        Memory.AddListener(Platform);
        Cpu = new X86Cpu(0, Platform, new CpuidModel("max", 1, x87AndSse: false));
        Vcpu = new TcgVcpu(Cpu);

        PageTables = new GuestPageTables(Ram, PageTableStart, PageTableLimit);
        for (int i = 0; i < DifferentialLayout.CodeSize; i += DifferentialLayout.PageSize)
            PageTables.Map(DifferentialLayout.CodeBase + (ulong)i, CodePhysical + (ulong)i, GuestPageTables.Writable | GuestPageTables.User);
        for (int i = 0; i < DifferentialLayout.DataSize; i += DifferentialLayout.PageSize)
        {
            PageTables.Map(DifferentialLayout.DataBase + (ulong)i, DataPhysical + (ulong)i,
                GuestPageTables.Writable | GuestPageTables.User | GuestPageTables.NoExecute);
        }
        for (ulong i = 0; i < 0x4000; i += 0x1000)
            PageTables.Map(SystemLinear + i, SystemPhysical + i, GuestPageTables.Writable | GuestPageTables.NoExecute);
        PageTables.Map(HandlerBase, SystemPhysical + 0x4000, 0);
        BuildSystemTables();
        _user = UserState(PageTables.Root);
    }

    public RamBlock Ram { get; }

    public AddressSpace Memory { get; }

    public AddressSpace Io { get; }

    internal TcgPlatform Platform { get; }

    internal X86Cpu Cpu { get; }

    internal TcgVcpu Vcpu { get; }

    public GuestPageTables PageTables { get; }

    /// <summary>The 64-bit GDT descriptors, the TSS (RSP0 = the kernel stack) and 256 interrupt gates (SDM vol. 3A, 3.4.5, 7.7, 6.14.1).</summary>
    private void BuildSystemTables()
    {
        Span<byte> system = Ram.AsSpan(SystemPhysical, 0x5000);
        system.Clear();
        system[0x4000..].Fill(0xF4); // HLT
        ulong[] gdt =
        [
            0,
            0x00AF_9B00_0000_FFFF, // 0x08 kernel code: 64-bit, DPL 0
            0x00CF_9300_0000_FFFF, // 0x10 kernel data
            0,
            0,
            0x00CF_F300_0000_FFFF, // 0x28 user data: DPL 3
            0x00AF_FB00_0000_FFFF, // 0x30 user code: 64-bit, DPL 3
            0,
            TssDescriptorLow(TssLinear, 0x67), // 0x40 available 64-bit TSS
            TssLinear >> 32,
        ];
        for (int i = 0; i < gdt.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(system[(i * 8)..], gdt[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(system[(0x100 + 4)..], KernelStackTop); // RSP0
        for (int v = 0; v < 256; v++)
        {
            ulong handler = HandlerBase + (ulong)v * 16;
            // A 64-bit interrupt gate: present, type 0xE, selector = kernel code; DPL 3 for #BP and #OF, so that
            // INT3 and INTO may raise them from CPL 3 (as Linux sets them up), DPL 0 for the rest (INT n: #GP).
            ulong access = v is 3 or 4 ? 0xEEUL : 0x8EUL;
            ulong low = (handler & 0xFFFF) | ((ulong)KernelCode << 16) | (access << 40) | ((handler & 0xFFFF_0000) << 32);
            BinaryPrimitives.WriteUInt64LittleEndian(system[(0x1000 + v * 16)..], low);
            BinaryPrimitives.WriteUInt64LittleEndian(system[(0x1000 + v * 16 + 8)..], handler >> 32);
        }
    }

    private static ulong TssDescriptorLow(ulong @base, ulong limit) =>
        (limit & 0xFFFF) | ((@base & 0xFF_FFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48) | (((@base >> 24) & 0xFF) << 56);

    private static X86SpecialRegisters UserState(ulong cr3)
    {
        X86Segment data = new() { Selector = 0, Type = 3, CodeOrData = true, Dpl = 3, Present = true, DefaultBig = true, Granularity = true, Limit = 0xFFFF_FFFF };
        return new X86SpecialRegisters
        {
            Cs = new X86Segment { Selector = UserCode, Type = 0xB, CodeOrData = true, Dpl = 3, Present = true, Long = true, Granularity = true, Limit = 0xFFFF_FFFF },
            Ss = data with { Selector = UserData },
            Ds = data,
            Es = data,
            Fs = data,
            Gs = data with { Base = DifferentialLayout.GsBase },
            Tr = new X86Segment { Selector = TssSelector, Base = TssLinear, Limit = 0x67, Type = 11, Present = true },
            Ldt = new X86Segment { Type = 2, Present = true, Unusable = true },
            Gdt = new X86DescriptorTable { Base = GdtLinear, Limit = 10 * 8 - 1 },
            Idt = new X86DescriptorTable { Base = IdtLinear, Limit = 256 * 16 - 1 },
            Cr0 = Cr0,
            Cr3 = cr3,
            Cr4 = Cr4,
            Efer = Efer,
        };
    }

    /// <summary>Puts a case's code and data in guest memory and its registers in the CPU, at CPL 3.</summary>
    public void Load(TestCase c)
    {
        Span<byte> code = Ram.AsSpan(CodePhysical, DifferentialLayout.CodeSize);
        code.Fill(DifferentialLayout.Int3);
        c.Code.CopyTo(code);
        c.InitialData().CopyTo(Ram.AsSpan(DataPhysical, DifferentialLayout.DataSize));
        X86SpecialRegisters special = _user;
        special.Cr3 = PageTables.Root;
        Vcpu.SetSpecialRegisters(special);
        X86Registers r = default;
        r.Rip = DifferentialLayout.CodeBase;
        r.Rflags = c.Rflags;
        Vcpu.SetRegisters(r);
        for (int i = 0; i < 16; i++)
            Cpu.Gpr(i) = c.Registers[i];
        Cpu.Halted = Cpu.ShutdownState = false;
    }

    /// <summary>Like <see cref="Load"/>, but to run at CPL 0 in the kernel's 64-bit code segment (with a kernel data SS).</summary>
    public void LoadKernel(TestCase c)
    {
        Load(c);
        X86SpecialRegisters special = _user;
        special.Cr3 = PageTables.Root;
        special.Cs = special.Cs with { Selector = KernelCode, Dpl = 0 };
        special.Ss = special.Ss with { Selector = KernelData, Dpl = 0 };
        Vcpu.SetSpecialRegisters(special);
    }

    /// <summary>Writes the GDT, TSS, IDT and handlers again (after code at CPL 0 may have changed them).</summary>
    public void ResetSystemTables() => BuildSystemTables();

    /// <summary>Runs a case until the CPU delivers an exception or <paramref name="budget"/> instructions ran.</summary>
    public CaseOutcome Run(TestCase c, long budget = 1_000_000)
    {
        Load(c);
        return RunLoaded(budget);
    }

    /// <summary>Runs what <see cref="Load"/> (and the caller) set up; see <see cref="Run"/>.</summary>
    public CaseOutcome RunLoaded(long budget)
    {
        X86Cpu cpu = Cpu;
        long start = cpu.InstructionsExecuted;
        long unimplemented = cpu.UnimplementedInstructions;
        while (!cpu.ShutdownState && !cpu.Halted && cpu.InstructionsExecuted - start < budget)
            cpu.Step();
        string? note = cpu.UnimplementedInstructions != unimplemented ? $"unimplemented instruction {cpu.LastUnimplemented}" : null;
        if (!InHandler())
        {
            note = cpu.ShutdownState ? "shutdown (triple fault)" : cpu.Halted ? "halted" : note;
            return new CaseOutcome
            {
                Vector = CaseOutcome.NoException,
                Registers = Registers(),
                Rip = cpu.Rip,
                Rflags = cpu.GetRflags(),
                Data = Data(),
                Note = note,
            };
        }
        int vector = (int)((cpu.Rip - 1 - HandlerBase) / 16);
        bool hasError = ExceptionNames.HasErrorCode(vector);
        ulong frame = cpu.Rsp;
        ulong error = hasError ? ReadKernel(frame) : 0;
        if (hasError)
            frame += 8;
        ulong[] registers = Registers();
        registers[4] = ReadKernel(frame + 24);
        return new CaseOutcome
        {
            Vector = vector,
            ErrorCode = error,
            FaultAddress = vector == 14 ? cpu.Cr2 : 0,
            Registers = registers,
            Rip = ReadKernel(frame),
            Rflags = ReadKernel(frame + 16),
            Data = Data(),
            Note = note,
        };
    }

    /// <summary>Whether the CPU halted in an exception handler: it has delivered an exception.</summary>
    public bool InHandler() => Cpu.Halted && Cpu.Cpl == 0 && Cpu.Rip - 1 - HandlerBase < 256 * 16 && (Cpu.Rip - 1 - HandlerBase) % 16 == 0;

    private ulong ReadKernel(ulong linear)
    {
        try
        {
            return Cpu.ReadSystem(linear, 8);
        }
        catch (CpuException)
        {
            return 0xDEAD_DEAD_DEAD_DEAD;
        }
    }

    private ulong[] Registers()
    {
        ulong[] r = new ulong[16];
        for (int i = 0; i < 16; i++)
            r[i] = Cpu.Gpr(i);
        return r;
    }

    private byte[] Data() => Ram.AsSpan(DataPhysical, DifferentialLayout.DataSize).ToArray();

    public void Dispose() => Ram.Dispose();
}
