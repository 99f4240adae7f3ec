using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>The FADT as iasl decodes it and as ACPICA's table manager (acpiexec) accepts it.</summary>
public class FadtAcpicaTests
{
    [AcpicaFact]
    public void PowerManagementBlocksSitAtPmBase()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35() with { PmBase = 0xB000 };
        DataTableDisassembly fadt = Disassemble(platform, out _);
        Assert.Equal(0xB000UL, fadt.Hex("PM1A Event Block Address"));
        Assert.Equal(0xB004UL, fadt.Hex("PM1A Control Block Address"));
        Assert.Equal(0xB008UL, fadt.Hex("PM Timer Block Address"));
        Assert.Equal(0xB020UL, fadt.Hex("GPE0 Block Address"));
        Assert.Equal(4UL, fadt.Hex("PM1 Event Block Length"));
        Assert.Equal(2UL, fadt.Hex("PM1 Control Block Length"));
        Assert.Equal(4UL, fadt.Hex("PM Timer Block Length"));
        Assert.Equal(16UL, fadt.Hex("GPE0 Block Length"));
        Assert.Equal(0UL, fadt.Hex("PM1B Event Block Address"));
        Assert.Equal(0UL, fadt.Hex("PM1B Control Block Address"));
        Assert.Equal(0UL, fadt.Hex("GPE1 Block Address"));
    }

    [AcpicaFact]
    public void ExtendedBlocksAgreeWithTheLegacyOnes()
    {
        DataTableDisassembly fadt = Disassemble(AcpiTestPlatforms.Q35(), out _);
        // Generic Address Structures, in table order: reset, PM1a event, PM1b event, PM1a control, PM1b control,
        // PM2 control, PM timer, GPE0, GPE1, sleep control, sleep status.
        var space = fadt.Values("Space ID");
        var address = Enumerable.Range(0, space.Count).Select(i => fadt.Hex("Address", i)).ToList();
        var width = Enumerable.Range(0, space.Count).Select(i => fadt.Hex("Bit Width", i)).ToList();
        Assert.Equal(11, space.Count);
        Assert.Equal((0x600UL, 32UL), (address[1], width[1]));
        Assert.Equal((0x604UL, 16UL), (address[3], width[3]));
        Assert.Equal((0x608UL, 32UL), (address[6], width[6]));
        Assert.Equal((0x620UL, 128UL), (address[7], width[7]));
        foreach (int i in new[] { 1, 3, 6, 7 })
            Assert.StartsWith("01", space[i]); // SystemIO
        foreach (int i in new[] { 2, 4, 5, 8, 9, 10 })
            Assert.Equal(0UL, address[i]);
    }

    [AcpicaFact]
    public void AcpiIsAlwaysOnAndTheSciIsIrq9()
    {
        DataTableDisassembly fadt = Disassemble(AcpiTestPlatforms.Q35(), out _);
        Assert.Equal(9UL, fadt.Hex("SCI Interrupt"));
        Assert.Equal(0UL, fadt.Hex("SMI Command Port"));
        Assert.Equal(0UL, fadt.Hex("ACPI Enable Value"));
        Assert.Equal(0UL, fadt.Hex("ACPI Disable Value"));
        Assert.Equal(6UL, fadt.Hex("Revision"));
        Assert.Equal(3UL, fadt.Hex("FADT Minor Revision"));
        Assert.Equal(276UL, fadt.Hex("Table Length"));
        Assert.DoesNotContain("Incorrect checksum", fadt.Text);
    }

    [AcpicaFact]
    public void FeatureFlagsDescribeTheMachine()
    {
        DataTableDisassembly fadt = Disassemble(AcpiTestPlatforms.Q35(), out _);
        Assert.Equal(1, fadt.Flag("WBINVD instruction is operational"));
        Assert.Equal(1, fadt.Flag("All CPUs support C1"));
        Assert.Equal(0, fadt.Flag("Control Method Power Button")); // the fixed power button is used
        Assert.Equal(1, fadt.Flag("Control Method Sleep Button")); // set: no fixed sleep button
        Assert.Equal(1, fadt.Flag("RTC wake not in fixed reg space"));
        Assert.Equal(0, fadt.Flag("32-bit PM Timer")); // 24-bit timer
        Assert.Equal(1, fadt.Flag("Reset Register Supported"));
        Assert.Equal(0, fadt.Flag("Hardware Reduced"));
        Assert.Equal(0x65UL, fadt.Hex("C2 Latency")); // > 100: no C2
        Assert.Equal(0x3E9UL, fadt.Hex("C3 Latency")); // > 1000: no C3
    }

    [AcpicaFact]
    public void ResetRegisterIsTheCf9Port()
    {
        DataTableDisassembly fadt = Disassemble(AcpiTestPlatforms.Q35(), out _);
        Assert.StartsWith("01", fadt.Values("Space ID")[0]); // SystemIO
        Assert.Equal(8UL, fadt.Hex("Bit Width", 0));
        Assert.Equal(0UL, fadt.Hex("Bit Offset", 0));
        Assert.Equal(0xCF9UL, fadt.Hex("Address", 0));
        Assert.Equal(6UL, fadt.Hex("Value to cause reset"));
    }

    [AcpicaTheory]
    [InlineData(true, true, 1, 1, 0)]
    [InlineData(false, false, 0, 0, 1)]
    public void BootFlagsFollowTheLegacyDevices(bool rtc, bool i8042, int legacy, int has8042, int noRtc)
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35() with { SerialPorts = [], HasCmosRtc = rtc, HasI8042 = i8042 };
        DataTableDisassembly fadt = Disassemble(platform, out _);
        Assert.Equal(legacy, fadt.Flag("Legacy Devices Supported"));
        Assert.Equal(has8042, fadt.Flag("8042 Present on ports 60/64"));
        Assert.Equal(1, fadt.Flag("VGA Not Present"));
        Assert.Equal(0, fadt.Flag("MSI Not Supported"));
        Assert.Equal(1, fadt.Flag("PCIe ASPM Not Supported"));
        Assert.Equal(noRtc, fadt.Flag("CMOS RTC Not Present"));
        Assert.Equal(rtc ? 0x32UL : 0UL, fadt.Hex("RTC Century Index"));
    }

    [AcpicaFact]
    public void PointsAtTheFacsAndDsdtInTheBlob()
    {
        DataTableDisassembly fadt = Disassemble(AcpiTestPlatforms.Q35(), out AcpiTables tables);
        ulong facs = tables.Tables.Single(t => t.Signature == "FACS").Address;
        ulong dsdt = tables.Tables.Single(t => t.Signature == "DSDT").Address;
        Assert.Equal([facs, facs], fadt.Values("FACS Address").Select(v => Convert.ToUInt64(v.Split(' ')[0], 16)));
        Assert.Equal([dsdt, dsdt], fadt.Values("DSDT Address").Select(v => Convert.ToUInt64(v.Split(' ')[0], 16)));
    }

    [AcpicaFact]
    public void AcpicaUsesTheFadtWithoutWarnings()
    {
        using var workspace = new AcpicaWorkspace();
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(2), AcpiTestPlatforms.TablesAddress);
        foreach (string signature in new[] { "FACP", "APIC", "MCFG", "DSDT" })
            workspace.WriteTable(tables.Table(signature), signature.ToLowerInvariant());
        ToolResult result = workspace.Acpiexec("-b", "execute \\_S5", "facp.dat", "apic.dat", "mcfg.dat", "dsdt.dat");
        Assert.True(result.ExitCode == 0, result.Output);
        // ACPICA checks FADT consistency (32/64X address and length mismatches, invalid lengths) and reports it as warnings.
        Assert.Empty(AcpiexecOutput.Problems(result.Output));
        Assert.Contains("FACP 0x", result.Output);
        Assert.Contains("(v06 EMU    EMUVM", result.Output);
        // GPE0 is 16 bytes: 8 status + 8 enable registers, GPEs 0x00-0x3F, signalled on SCI 9.
        Assert.Contains("Initialized GPE 00 to 3F [_GPE] 8 regs on interrupt 0x9 (SCI)", result.Output);
    }

    private static DataTableDisassembly Disassemble(AcpiPlatform platform, out AcpiTables tables)
    {
        tables = AcpiTableBuilder.Build(platform, AcpiTestPlatforms.TablesAddress);
        using var workspace = new AcpicaWorkspace();
        return new DataTableDisassembly(workspace.Disassemble(tables.Table("FACP"), "facp"));
    }
}
