using System.Text.RegularExpressions;
using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>
/// ACPI PCI hotplug in the DSDT as ACPICA reads and runs it: the register
/// block, one ejectable device per slot, PCNT and the GPE method.
/// </summary>
public class PciHotplugAcpicaTests
{
    private static readonly int[] s_slots = [1, 2, 3, 4, 30];

    private static AcpiPlatform WithHotplug() => AcpiTestPlatforms.Q35() with
    {
        PciHotplug = new AcpiPciHotplug { IoBase = 0xAE00, GpeBit = 1, Slots = s_slots },
    };

    [AcpicaFact]
    public void EverySlotIsAnEjectableDeviceWithItsAddressAndNumber()
    {
        var asl = DsdtAcpicaTests.Disassemble(WithHotplug());
        var slotDevices = asl.DeviceNames().Where(n => Regex.IsMatch(n, "^S[0-9A-F]{2}$")).ToList();
        Assert.Equal(["S01", "S02", "S03", "S04", "S1E"], slotDevices);
        foreach (int slot in s_slots)
        {
            string body = asl.DeviceBody($"S{slot:X2}");
            Assert.Matches($@"Name \(_ADR, 0x{slot << 16:X8}\)", body);
            Assert.Matches($@"Name \(_SUN, ({(slot == 1 ? "One" : $"0x{slot:X2}")})\)", body);
            Assert.Contains("Method (_EJ0, 1, NotSerialized)", body);
            Assert.Contains($"PCEJ = 0x{1L << slot:X2}", body);
        }
        // Slots the board uses have no slot device: nothing to eject there.
        Assert.DoesNotContain("Device (S05)", asl.Text);
        Assert.DoesNotContain("Device (S1F)", asl.Text);
    }

    [AcpicaFact]
    public void TheRegistersAreReservedAndLaidOutAsTheVmmDecodesThem()
    {
        var asl = DsdtAcpicaTests.Disassemble(WithHotplug());
        Assert.Contains("OperationRegion (PCHP, SystemIO, 0xAE00, 0x0C)", asl.Text);
        Assert.Matches(@"Field \(PCHP, DWordAcc, NoLock, Preserve\)\s*\{\s*PCIU,\s*32,\s*PCID,\s*32,\s*PCEJ,\s*32\s*\}", asl.Text);
        var reserved = AslDisassembly.CrsDescriptors(asl.DeviceBody("MBRS")).Where(d => d.Kind == "IO").ToList();
        Assert.Contains(reserved, d => d["Range Minimum"] == 0xAE00 && d["Length"] == AcpiPciHotplug.RegisterBlockSize);
    }

    [AcpicaFact]
    public void TheGpeMethodNotifiesEachSlotFromPciuAndPcid()
    {
        var asl = DsdtAcpicaTests.Disassemble(WithHotplug());
        Assert.Matches(@"Scope \(\\_GPE\)\s*\{\s*Method \(_E01, 0, NotSerialized\)[^{]*\{\s*\\_SB\.PCI0\.PCNT \(\)", asl.Text);
        foreach (int slot in s_slots)
        {
            Assert.Matches($@"If \(\(Local0 & 0x{1L << slot:X2}\)\)\s*\{{\s*Notify \(S{slot:X2}, One\)", asl.Text);
            Assert.Matches($@"If \(\(Local1 & 0x{1L << slot:X2}\)\)\s*\{{\s*Notify \(S{slot:X2}, 0x03\)", asl.Text);
        }
    }

    [AcpicaFact]
    public void AcpiexecRunsTheGpeMethodAndEjectWritesTheSlotBitToPcej()
    {
        // acpiexec backs SystemIO regions with memory, so PCEJ reads back what _EJ0 stored.
        string output = DsdtAcpicaTests.Execute(WithHotplug(),
            "execute \\_GPE._E01; execute \\_SB.PCI0.S03._EJ0 1; execute \\_SB.PCI0.PCEJ");
        Assert.Empty(AcpiexecOutput.Problems(output));
        Assert.Equal(1UL << 3, AcpiexecOutput.Integers(output).Last());
    }

    [AcpicaFact]
    public void WithoutHotplugTheDsdtHasNoneOfIt()
    {
        var asl = DsdtAcpicaTests.Disassemble(AcpiTestPlatforms.Q35());
        Assert.DoesNotContain("PCHP", asl.Text);
        Assert.DoesNotContain("_GPE", asl.Text);
        Assert.DoesNotContain("Device (S01)", asl.Text);
    }

    [Fact]
    public void BadSlotsAreRefused()
    {
        AcpiPlatform Of(params int[] slots) => AcpiTestPlatforms.Q35() with { PciHotplug = new AcpiPciHotplug { IoBase = 0xAE00, GpeBit = 1, Slots = slots } };
        Assert.Throws<ArgumentOutOfRangeException>(() => DsdtAcpicaTests.Build(Of(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DsdtAcpicaTests.Build(Of(32)));
        Assert.Throws<ArgumentException>(() => DsdtAcpicaTests.Build(Of(3, 3)));
    }
}
