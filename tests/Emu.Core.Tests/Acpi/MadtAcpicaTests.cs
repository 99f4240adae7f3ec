using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>The MADT as iasl decodes it.</summary>
public class MadtAcpicaTests
{
    [AcpicaTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(64)]
    public void OneEnabledLocalApicPerCpu(int cpus)
    {
        DataTableDisassembly madt = Disassemble(AcpiTestPlatforms.Q35(cpus));
        Assert.Equal(cpus, madt.SubtableTypes().Count(t => t == "Processor Local APIC"));
        var processorIds = madt.Values("Processor ID").Select(v => Convert.ToInt32(v, 16)).ToList();
        var apicIds = madt.Values("Local Apic ID").Select(v => Convert.ToInt32(v, 16)).ToList();
        Assert.Equal(Enumerable.Range(0, cpus), apicIds);
        // Processor UIDs 0..n-1, then 0xFF in the local APIC NMI entry (all processors).
        Assert.Equal(Enumerable.Range(0, cpus).Append(0xFF), processorIds);
        Assert.Equal(cpus, madt.Values("Flags (decoded below)").Count - 1 /* table flags */ - 3 /* two overrides, one NMI */);
    }

    [AcpicaFact]
    public void HeaderNamesTheLocalApicAndPcCompatibility()
    {
        DataTableDisassembly madt = Disassemble(AcpiTestPlatforms.Q35());
        Assert.Equal(0xFEE0_0000UL, madt.Hex("Local Apic Address"));
        Assert.Equal(1, madt.Flag("PC-AT Compatibility"));
        Assert.Equal(5UL, madt.Hex("Revision"));
        Assert.DoesNotContain("Incorrect checksum", madt.Text);
    }

    [AcpicaFact]
    public void OneIoApicWithGsiBaseZero()
    {
        DataTableDisassembly madt = Disassemble(AcpiTestPlatforms.Q35(4) with { IoApicId = 4 });
        Assert.Single(madt.SubtableTypes(), t => t == "I/O APIC");
        Assert.Equal(4UL, madt.Hex("I/O Apic ID"));
        Assert.Equal(0xFEC0_0000UL, madt.Hex("Address"));
        Assert.Equal(0UL, madt.Hex("Interrupt", 0)); // the IOAPIC's GSI base comes before the overrides' GSIs
    }

    [AcpicaFact]
    public void TheTimerAndTheSciAreOverridden()
    {
        DataTableDisassembly madt = Disassemble(AcpiTestPlatforms.Q35());
        Assert.Equal(2, madt.SubtableTypes().Count(t => t == "Interrupt Source Override"));
        var sources = madt.Values("Source").Select(v => Convert.ToUInt64(v, 16)).ToList();
        var gsis = madt.Values("Interrupt").Skip(1).Select(v => Convert.ToUInt64(v, 16)).ToList();
        Assert.Equal([0UL, 9UL], sources);
        Assert.Equal([2UL, 9UL], gsis);
        // Polarity 1 = active high; trigger 1 = edge, 3 = level. Order: timer, SCI, then the NMI entry.
        Assert.Equal([1, 1, 1], madt.FlagValues("Polarity"));
        Assert.Equal([1, 3, 1], madt.FlagValues("Trigger Mode"));
    }

    [AcpicaFact]
    public void Lint1IsNmiOnEveryProcessor()
    {
        DataTableDisassembly madt = Disassemble(AcpiTestPlatforms.Q35(4));
        Assert.Single(madt.SubtableTypes(), t => t == "Local APIC NMI");
        Assert.Equal(1UL, madt.Hex("Interrupt Input LINT"));
    }

    private static DataTableDisassembly Disassemble(AcpiPlatform platform)
    {
        using var workspace = new AcpicaWorkspace();
        AcpiTables tables = AcpiTableBuilder.Build(platform, AcpiTestPlatforms.TablesAddress);
        return new DataTableDisassembly(workspace.Disassemble(tables.Table("APIC"), "apic"));
    }
}
