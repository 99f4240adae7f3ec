using System.Text;
using Iced.Intel;
using Xunit.Abstractions;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Guests that do what no compiler would: random bytes as code (at CPL 3 and
/// at CPL 0), code that rewrites itself, code in a device's MMIO window, page
/// tables that point outside RAM. Whatever they do, the software CPU may only
/// deliver guest exceptions (or halt, or shut down on a triple fault): no .NET
/// exception may escape, and every run is bounded by an instruction budget.
/// </summary>
public sealed class HostileGuestTests : IClassFixture<NativeOracle>
{
    private const long Budget = 20_000;
    private readonly NativeOracle _oracle;
    private readonly ITestOutputHelper _output;

    public HostileGuestTests(NativeOracle oracle, ITestOutputHelper output)
    {
        _oracle = oracle;
        _output = output;
    }

    [Fact]
    public void RandomBytesAtCpl3OnlyRaiseGuestExceptions() => RunRandomCode("random code at CPL 3", kernel: false, Campaign.Count(4000));

    [Fact]
    public void RandomBytesAtCpl0OnlyRaiseGuestExceptions() => RunRandomCode("random code at CPL 0", kernel: true, Campaign.Count(3000));

    // Random bytes from the start of the code region, registers at random or pointing into the data region.
    // At CPL 0 the code may also load control registers, descriptor tables and MSRs, switch modes with IRET,
    // point CR3 anywhere (then write page tables into the data page it can reach): each case starts from
    // fresh system tables, and a fresh machine every 200 cases.
    private void RunRandomCode(string name, bool kernel, int count)
    {
        var v = new OperandValues(Campaign.SeedFor(name));
        var outcomes = new Dictionary<string, int>();
        SoftCpuMachine? machine = null;
        try
        {
            for (int n = 0; n < count; n++)
            {
                if (n % 200 == 0)
                {
                    machine?.Dispose();
                    machine = new SoftCpuMachine();
                }
                var s = new CaseState(v);
                for (int r = 0; r < 16; r++)
                {
                    if (v.Chance(0.4))
                        s.Set(r, DifferentialLayout.DataBase + (ulong)v.Int(0, DifferentialLayout.DataSize));
                }
                // Mostly a usable stack: at CPL 0 an exception is delivered on it (with a random RSP, most cases
                // would end in a triple fault at their first exception).
                if (v.Chance(0.7))
                    s.Set(4, DifferentialLayout.DataBase + 0x1800);
                byte[] code = new byte[v.Int(1, 256)];
                v.Random.NextBytes(code);
                TestCase c = s.Build(code, "random");
                machine!.ResetSystemTables();
                if (kernel)
                    machine.LoadKernel(c);
                else
                    machine.Load(c);
                CaseOutcome outcome;
                try
                {
                    outcome = machine.RunLoaded(Budget);
                }
                catch (Exception e)
                {
                    Assert.Fail($"{name}: {e.GetType().Name} escaped the software CPU: {e.Message}\ncode: {Convert.ToHexString(code)}\n"
                        + $"at rip={machine.Cpu.Rip:x} cs={machine.Cpu.Cs.Selector:x} mode={machine.Cpu.CodeBits}\n{e}");
                    return;
                }
                string key = outcome.Vector switch
                {
                    >= 32 => "INT n (vectors 32..255)",
                    >= 0 => ExceptionNames.Name(outcome.Vector),
                    _ => outcome.Note ?? "budget exhausted",
                };
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }
        }
        finally
        {
            machine?.Dispose();
        }
        var summary = new StringBuilder($"{name}: {count} cases: ");
        summary.AppendJoin(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}"));
        _output.WriteLine(summary.ToString());
    }

    /// <summary>
    /// A store that rewrites the block that runs next, after that block has run (and was cached) once: the
    /// new instruction must run. (SDM vol. 3A, 11.6: a write to code is seen by instructions fetched after it.)
    /// Run on the host too.
    /// </summary>
    [Fact]
    public void StoreRewritingTheNextBlockRunsTheNewCode()
    {
        //     lea rbx, [rip + B]
        //     xor edx, edx
        //     jmp B
        // B:  mov eax, 0x11111111    ; B8 imm32: the immediate is at B + 1
        //     add edx, eax
        //     cmp edx, 0x11111111
        //     jne end                ; the second time through B
        //     mov dword [rbx + 1], 0x22222222
        //     jmp B
        // end: (INT3)
        var a = new Assembler(64);
        Label b = a.CreateLabel(), end = a.CreateLabel();
        a.lea(AssemblerRegisters.rbx, AssemblerRegisters.__[b]);
        a.xor(AssemblerRegisters.edx, AssemblerRegisters.edx);
        a.jmp(b);
        a.Label(ref b);
        a.mov(AssemblerRegisters.eax, 0x1111_1111);
        a.add(AssemblerRegisters.edx, AssemblerRegisters.eax);
        a.cmp(AssemblerRegisters.edx, 0x1111_1111);
        a.jne(end);
        a.mov(AssemblerRegisters.__dword_ptr[AssemblerRegisters.rbx + 1], 0x2222_2222);
        a.jmp(b);
        a.Label(ref end);
        a.int3();
        CaseOutcome soft = RunBothAgree(Assemble(a));
        Assert.Equal(3, soft.Vector);
        Assert.Equal(0x2222_2222UL, soft.Registers[0]);
        Assert.Equal(0x3333_3333UL, soft.Registers[2]);
    }

    /// <summary>Code the CPU fetches from a device (not RAM or ROM) runs through the slow path, and is fetched again each time it runs.</summary>
    [Fact]
    public void CodeInAnMmioWindowRuns()
    {
        const ulong deviceAddress = 0xE000_0000, linear = 0x1000_8000;
        var device = new CodeDevice(0x1000);
        using var machine = new SoftCpuMachine(device, deviceAddress);
        machine.PageTables.Map(linear, deviceAddress, GuestPageTables.User | GuestPageTables.Writable);
        var s = new CaseState(new OperandValues(1));
        s.Set(1, 5);
        TestCase c = s.Build([0x90]);
        foreach (uint value in new uint[] { 0x1234_5678, 0x0BAD_F00D })
        {
            // mov eax, value; add eax, ecx; INT3
            byte[] code = [0xB8, .. BitConverter.GetBytes(value), 0x01, 0xC8, 0xCC];
            code.CopyTo(device.Contents, 0);
            int reads = device.Reads;
            machine.Load(c);
            machine.Cpu.Rip = linear;
            CaseOutcome outcome = machine.RunLoaded(Budget);
            Assert.Equal(3, outcome.Vector);
            Assert.Equal(linear + (ulong)code.Length, outcome.Rip);
            Assert.Equal(value + 5UL, outcome.Registers[0]);
            Assert.True(device.Reads > reads, "the code was read from the device");
        }
    }

    /// <summary>
    /// Page tables that lead outside RAM: a table the walk cannot read is a #PF (the access faults as if the
    /// entry were not present), a leaf that maps nothing reads all ones and drops writes (a PC bus), and a
    /// CR3 outside RAM ends, through #PF, #DF and a triple fault, in shutdown: never a VMM failure.
    /// </summary>
    [Fact]
    public void PageTablesOutsideRam()
    {
        using var machine = new SoftCpuMachine();
        const ulong tableOutside = 0x40_0000_0000, leafOutside = 0x30_0000_0000;
        const ulong viaTable = 0x3000_0000, viaLeaf = 0x3040_0000;
        // A page directory entry (level 2) whose page table lies outside RAM.
        machine.PageTables.Map(viaTable, 0, GuestPageTables.User | GuestPageTables.Writable);
        machine.PageTables.Write(machine.PageTables.EntryFor(viaTable, 2),
            tableOutside | GuestPageTables.Present | GuestPageTables.Writable | GuestPageTables.User);
        // A leaf that maps a physical page nothing answers at.
        machine.PageTables.Map(viaLeaf, leafOutside, GuestPageTables.User | GuestPageTables.Writable);

        var s = new CaseState(new OperandValues(2));
        s.Set(3, viaTable + 0x10);
        CaseOutcome outcome = machine.Run(s.Build(InstructionFactory.Assemble(
            Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RBX)))));
        Assert.Equal(14, outcome.Vector);
        Assert.Equal(viaTable + 0x10, outcome.FaultAddress);
        Assert.Equal(4UL, outcome.ErrorCode); // not present, read, user

        s = new CaseState(new OperandValues(3));
        s.Set(3, viaLeaf + 0x20);
        outcome = machine.Run(s.Build(InstructionFactory.Assemble(
            Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(Register.RBX), Register.RCX),
            Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RBX)))));
        Assert.Equal(3, outcome.Vector);
        Assert.Equal(ulong.MaxValue, outcome.Registers[0]);

        machine.Load(s.Build([0x90]));
        machine.Cpu.Cr3 = tableOutside;
        machine.Cpu.FlushTlb(includingGlobal: true);
        outcome = machine.RunLoaded(Budget);
        Assert.True(machine.Cpu.ShutdownState, "a CR3 outside RAM ends in a triple fault");
        Assert.Equal(CaseOutcome.NoException, outcome.Vector);
    }

    /// <summary>A reserved bit in a present entry is a #PF with RSVD set (SDM vol. 3A, 4.7: error code bit 3).</summary>
    [Fact]
    public void ReservedBitInAPageTableEntryIsAPageFault()
    {
        using var machine = new SoftCpuMachine();
        const ulong linear = 0x3080_0000;
        machine.PageTables.Map(linear, SoftCpuMachine.ScratchPhysical, GuestPageTables.User | GuestPageTables.Writable | (1UL << 51));
        var s = new CaseState(new OperandValues(4));
        s.Set(3, linear);
        CaseOutcome outcome = machine.Run(s.Build(InstructionFactory.Assemble(
            Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RBX)))));
        Assert.Equal(14, outcome.Vector);
        Assert.Equal(linear, outcome.FaultAddress);
        Assert.Equal(0xDUL, outcome.ErrorCode); // present, reserved, user, read
    }

    private static byte[] Assemble(Assembler a)
    {
        var writer = new ByteWriter();
        a.Assemble(writer, DifferentialLayout.CodeBase);
        return writer.ToArray();
    }

    private CaseOutcome RunBothAgree(byte[] code)
    {
        TestCase c = new CaseState(new OperandValues(5)).Build(code);
        CaseOutcome host = _oracle.Run([c])[0];
        using var machine = new SoftCpuMachine();
        CaseOutcome soft = machine.Run(c);
        Assert.Null(CaseComparer.Compare(c, host, soft));
        return soft;
    }
}
