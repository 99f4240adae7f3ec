using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>
/// The DSDT as ACPICA sees it: disassembled by iasl, recompiled from that
/// disassembly, and its methods run by acpiexec (the interpreter Linux uses).
/// </summary>
public class DsdtAcpicaTests
{
    private const string PciHostBridgeUuidBytes = "(5B 4D DB 33 F7 1F 1C 40 96 57 74 41 C0 3D D7 66)";

    [AcpicaTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheDisassemblyRecompilesToTheSameAml(bool pciHotplug)
    {
        using var workspace = new AcpicaWorkspace();
        AcpiPlatform platform = AcpiTestPlatforms.Q35();
        if (pciHotplug)
            platform = platform with { PciHotplug = new AcpiPciHotplug { IoBase = 0xAE00, GpeBit = 1, Slots = Enumerable.Range(1, 30).ToArray() } };
        byte[] dsdt = Build(platform).Table("DSDT").ToArray();
        string asl = workspace.Disassemble(dsdt, "dsdt");
        Assert.DoesNotContain("Incorrect checksum", asl);

        // -oa: no optimizations, so iasl encodes exactly what the ASL says.
        ToolResult compile = workspace.Iasl("-oa", "-p", "recompiled", "dsdt.dsl");
        Assert.True(compile.ExitCode == 0, compile.Output);
        Assert.Contains("0 Errors, 0 Warnings", compile.Output);
        byte[] recompiled = File.ReadAllBytes(workspace.PathOf("recompiled.aml"));
        Assert.Equal(dsdt.Length, recompiled.Length);
        // iasl writes its own checksum (byte 9) and compiler id/revision (bytes 28-35); everything else must match.
        Assert.Equal(dsdt[..9], recompiled[..9]);
        Assert.Equal(dsdt[10..28], recompiled[10..28]);
        Assert.Equal(dsdt[36..], recompiled[36..]);
    }

    [AcpicaFact]
    public void PrtRoutesEverySlotAndPinAsPciIntxRoutingSays()
    {
        var asl = Disassemble(AcpiTestPlatforms.Q35());
        var entries = asl.RoutingEntries();
        Assert.Equal(32 * 4, entries.Count);
        foreach (var (address, pin, source, gsi) in entries)
        {
            Assert.Equal(0xFFFFUL, address & 0xFFFF); // any function of the slot
            int slot = (int)(address >> 16);
            Assert.Equal("Zero", source); // no link device: the last field is a GSI
            Assert.Equal((ulong)PciIntxRouting.Gsi(slot, (int)pin + 1), gsi);
        }
        var covered = entries.Select(e => (e.Address >> 16, e.Pin)).ToHashSet();
        Assert.Equal(128, covered.Count);
    }

    [AcpicaFact]
    public void RootBridgeWindowsMatchThePlatform()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35();
        var asl = Disassemble(platform);
        string pci0 = asl.DeviceBody("PCI0");
        Assert.Contains("EisaId (\"PNP0A08\")", pci0);
        Assert.Contains("Name (_CID, EisaId (\"PNP0A03\")", pci0);
        Assert.Contains("Name (_SEG, Zero)", pci0);
        Assert.Contains("Name (_BBN, Zero)", pci0);
        Assert.Contains("Name (_UID, Zero)", pci0);

        var crs = AslDisassembly.CrsDescriptors(pci0);
        AslDescriptor bus = Assert.Single(crs, d => d.Kind == "WordBusNumber");
        Assert.Equal(0UL, bus["Range Minimum"]);
        Assert.Equal((ulong)platform.EcamBusCount - 1, bus["Range Maximum"]);

        var io = crs.Where(d => d.Kind == "WordIO").Select(d => (d["Range Minimum"], d["Range Maximum"])).ToList();
        Assert.Equal([(0x0000UL, 0x0CF7UL), (0x0D00UL, 0xFFFFUL)], io);
        AslDescriptor config = Assert.Single(crs, d => d.Kind == "IO");
        Assert.Equal(0xCF8UL, config["Range Minimum"]);
        Assert.Equal(8UL, config["Length"]);

        AslDescriptor low = Assert.Single(crs, d => d.Kind == "DWordMemory");
        Assert.Equal(platform.Mmio32.Base, low["Range Minimum"]);
        Assert.Equal(platform.Mmio32.Last, low["Range Maximum"]);
        Assert.Equal(platform.Mmio32.Size, low["Length"]);
        Assert.Contains("ResourceProducer", low.Text);

        AslDescriptor high = Assert.Single(crs, d => d.Kind == "QWordMemory");
        Assert.Equal(platform.Mmio64!.Value.Base, high["Range Minimum"]);
        Assert.Equal(platform.Mmio64.Value.Last, high["Range Maximum"]);
        Assert.DoesNotContain("Prefetchable", high.Text);
    }

    [AcpicaFact]
    public void TheVgaWindowAndTheSixtyFourBitWindowAreOptional()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35() with { Mmio64 = null, HasVga = true };
        var crs = AslDisassembly.CrsDescriptors(Disassemble(platform).DeviceBody("PCI0"));
        Assert.DoesNotContain(crs, d => d.Kind == "QWordMemory");
        var memory = crs.Where(d => d.Kind == "DWordMemory").Select(d => (d["Range Minimum"], d["Range Maximum"])).ToList();
        Assert.Equal([(0xA0000UL, 0xBFFFFUL), (platform.Mmio32.Base, platform.Mmio32.Last)], memory);
    }

    [AcpicaFact]
    public void MotherboardResourcesReserveEcamAndThePmBlock()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35() with { PmBase = 0xB000 };
        string mbrs = Disassemble(platform).DeviceBody("MBRS");
        Assert.Contains("EisaId (\"PNP0C02\")", mbrs);
        var crs = AslDisassembly.CrsDescriptors(mbrs);
        AslDescriptor ecam = Assert.Single(crs, d => d.Kind == "Memory32Fixed");
        Assert.Equal(platform.EcamBase, ecam["Address Base"]);
        Assert.Equal(platform.EcamSize, ecam["Address Length"]);
        AslDescriptor pm = Assert.Single(crs, d => d.Kind == "IO");
        Assert.Equal(0xB000UL, pm["Range Minimum"]);
        Assert.Equal(0x80UL, pm["Length"]);
    }

    [AcpicaTheory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void OneProcessorDevicePerCpuWithTheMadtUid(int cpus)
    {
        var asl = Disassemble(AcpiTestPlatforms.Q35(cpus));
        var processors = asl.DeviceNames().Where(n => n.StartsWith('C') && n != "COM1").ToList();
        Assert.Equal(cpus, processors.Count);
        for (int i = 0; i < cpus; i++)
        {
            string body = asl.DeviceBody($"C{i:X3}");
            Assert.Contains("Name (_HID, \"ACPI0007\"", body);
            string uid = i switch { 0 => "Zero", 1 => "One", _ => $"0x{i:X2}" };
            Assert.Contains($"Name (_UID, {uid})", body);
        }
    }

    [AcpicaFact]
    public void SerialPortsAndTheRtcAreDescribed()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35() with { SerialPorts = [new AcpiSerialPort(0x3F8, 4), new AcpiSerialPort(0x2F8, 3)] };
        var asl = Disassemble(platform);
        foreach (var (name, port, irq) in new[] { ("COM1", 0x3F8UL, 4UL), ("COM2", 0x2F8UL, 3UL) })
        {
            string body = asl.DeviceBody(name);
            Assert.Contains("EisaId (\"PNP0501\")", body);
            var crs = AslDisassembly.CrsDescriptors(body);
            Assert.Equal(port, crs.Single(d => d.Kind == "IO")["Range Minimum"]);
            Assert.Equal(8UL, crs.Single(d => d.Kind == "IO")["Length"]);
            Assert.Equal(irq, crs.Single(d => d.Kind == "IRQNoFlags")["IRQ"]);
        }
        var rtc = AslDisassembly.CrsDescriptors(asl.DeviceBody("RTC"));
        Assert.Contains("EisaId (\"PNP0B00\")", asl.DeviceBody("RTC"));
        Assert.Equal(0x70UL, rtc.Single(d => d.Kind == "IO")["Range Minimum"]);
        Assert.Equal(8UL, rtc.Single(d => d.Kind == "IRQNoFlags")["IRQ"]);

        var bare = Disassemble(AcpiTestPlatforms.Q35() with { SerialPorts = [], HasCmosRtc = false });
        Assert.DoesNotContain("COM1", bare.DeviceNames());
        Assert.DoesNotContain("RTC", bare.DeviceNames());
    }

    [AcpicaFact]
    public void SoftOffIsSleepTypeZero()
    {
        string output = Execute(AcpiTestPlatforms.Q35(), "execute \\_S5");
        Assert.Contains("[Package] Contains 4 Elements", output);
        Assert.Equal([0UL, 0UL, 0UL, 0UL], AcpiexecOutput.Integers(output));
    }

    [AcpicaFact]
    public void OscGrantsNativeHotplugPmeAerAndTheCapabilityStructure()
    {
        // Linux first queries (status bit 0) with everything it supports, then requests what was offered.
        string output = Execute(AcpiTestPlatforms.Q35(),
            $"execute \\_SB.PCI0._OSC {PciHostBridgeUuidBytes} 1 3 (01 00 00 00 1F 00 00 00 BF 00 00 00);" +
            $"execute \\_SB.PCI0._OSC {PciHostBridgeUuidBytes} 1 3 (00 00 00 00 1F 00 00 00 1D 00 00 00)");
        var results = AcpiexecOutput.Buffers(output);
        Assert.Equal(2, results.Count);

        uint granted = AcpiexecOutput.DWord(results[0], 2);
        Assert.Equal(0x1u, granted & 0x1); // PCIe native hot plug
        Assert.Equal(0x4u, granted & 0x4); // PME
        Assert.Equal(0x8u, granted & 0x8); // AER
        Assert.Equal(0x10u, granted & 0x10); // PCIe capability structure
        Assert.Equal(0u, granted & ~0x1Du); // nothing else: no SHPC, LTR or DPC
        Assert.Equal(0x10u, AcpiexecOutput.DWord(results[0], 0) & 0x1E); // "capabilities masked", no error bits

        Assert.Equal(0u, AcpiexecOutput.DWord(results[1], 0) & 0x1E); // the granted set is accepted as is
        Assert.Equal(0x1Du, AcpiexecOutput.DWord(results[1], 2));
    }

    [AcpicaFact]
    public void OscRejectsOtherUuidsAndRevisions()
    {
        string output = Execute(AcpiTestPlatforms.Q35(),
            "execute \\_SB.PCI0._OSC (00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF) 1 3 (00 00 00 00 1F 00 00 00 1D 00 00 00);" +
            $"execute \\_SB.PCI0._OSC {PciHostBridgeUuidBytes} 2 3 (00 00 00 00 1F 00 00 00 1D 00 00 00)");
        var results = AcpiexecOutput.Buffers(output);
        Assert.Equal(2, results.Count);
        Assert.Equal(0x4u, AcpiexecOutput.DWord(results[0], 0)); // unrecognized UUID
        Assert.Equal(0x1Du, AcpiexecOutput.DWord(results[0], 2)); // control left alone
        Assert.Equal(0x8u, AcpiexecOutput.DWord(results[1], 0)); // unrecognized revision
    }

    [AcpicaFact]
    public void AcpiexecLoadsTheNamespaceWithoutComplaint()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35(4);
        string output = Execute(platform, "namespace");
        Assert.Empty(AcpiexecOutput.Problems(output));
        // Processors, PCI0, MBRS, one UART and the RTC.
        Assert.Matches($@"with\s+{platform.CpuCount + 4} Devices", output);
    }

    internal static AcpiTables Build(AcpiPlatform platform) => AcpiTableBuilder.Build(platform, AcpiTestPlatforms.TablesAddress);

    internal static AslDisassembly Disassemble(AcpiPlatform platform)
    {
        using var workspace = new AcpicaWorkspace();
        return new AslDisassembly(workspace.Disassemble(Build(platform).Table("DSDT"), "dsdt"));
    }

    internal static string Execute(AcpiPlatform platform, string commands)
    {
        using var workspace = new AcpicaWorkspace();
        AcpiTables tables = Build(platform);
        workspace.WriteTable(tables.Table("FACP"), "facp");
        workspace.WriteTable(tables.Table("DSDT"), "dsdt");
        ToolResult result = workspace.Acpiexec("-b", commands, "facp.dat", "dsdt.dat");
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Output;
    }
}
