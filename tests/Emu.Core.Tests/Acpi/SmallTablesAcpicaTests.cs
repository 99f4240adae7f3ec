using System.Buffers.Binary;
using System.Text;
using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>MCFG, XSDT, FACS and the RSDP, checked with iasl's disassembler and data-table compiler.</summary>
public class SmallTablesAcpicaTests
{
    [AcpicaFact]
    public void McfgCoversEveryBusOfSegmentZero()
    {
        AcpiPlatform platform = AcpiTestPlatforms.Q35();
        DataTableDisassembly mcfg = Disassemble(platform, "MCFG", out _);
        Assert.Equal(platform.EcamBase, mcfg.Hex("Base Address"));
        Assert.Equal(0UL, mcfg.Hex("Segment Group Number"));
        Assert.Equal(0UL, mcfg.Hex("Start Bus Number"));
        Assert.Equal(0xFFUL, mcfg.Hex("End Bus Number"));
        Assert.DoesNotContain("Incorrect checksum", mcfg.Text);

        DataTableDisassembly small = Disassemble(platform with { EcamBusCount = 64 }, "MCFG", out _);
        Assert.Equal(0x3FUL, small.Hex("End Bus Number"));
    }

    [AcpicaFact]
    public void XsdtListsFadtMadtAndMcfg()
    {
        DataTableDisassembly xsdt = Disassemble(AcpiTestPlatforms.Q35(), "XSDT", out AcpiTables tables);
        var listed = xsdt.ValuesStartingWith("ACPI Table Address").Select(v => Convert.ToUInt64(v.Split(' ')[0], 16)).ToList();
        var expected = new[] { "FACP", "APIC", "MCFG" }.Select(s => tables.Tables.Single(t => t.Signature == s).Address);
        Assert.Equal(expected, listed);
        Assert.DoesNotContain("Incorrect checksum", xsdt.Text);
    }

    [AcpicaFact]
    public void FacsIsVersionTwoAndSixtyFourBytes()
    {
        DataTableDisassembly facs = Disassemble(AcpiTestPlatforms.Q35(), "FACS", out _);
        Assert.Equal(0x40UL, facs.Hex("Length"));
        Assert.Equal(2UL, facs.Hex("Version"));
        Assert.Equal(0UL, facs.Hex("Global Lock"));
    }

    [AcpicaTheory]
    [InlineData("FACP")]
    [InlineData("APIC")]
    [InlineData("MCFG")]
    [InlineData("XSDT")]
    [InlineData("FACS")]
    public void DataTablesRecompileToTheSameBytes(string signature)
    {
        using var workspace = new AcpicaWorkspace();
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(3), AcpiTestPlatforms.TablesAddress);
        byte[] table = tables.Table(signature).ToArray();
        workspace.Disassemble(table, "table");
        ToolResult compile = workspace.Iasl("-p", "recompiled", "table.dsl");
        Assert.True(compile.ExitCode == 0, compile.Output);
        byte[] recompiled = File.ReadAllBytes(workspace.PathOf("recompiled.aml"));
        Assert.Equal(table.Length, recompiled.Length);
        if (signature == "FACS")
        {
            Assert.Equal(table, recompiled); // no header, no checksum
            return;
        }
        // iasl writes its own checksum (byte 9) and compiler id/revision (bytes 28-35).
        Assert.Equal(table[..9], recompiled[..9]);
        Assert.Equal(table[10..28], recompiled[10..28]);
        Assert.Equal(table[36..], recompiled[36..]);
        Assert.True(AcpiChecksum.IsValid(recompiled));
    }

    /// <summary>
    /// iasl cannot disassemble a bare RSDP (its loader wants a four-character
    /// table signature), but its data-table compiler builds one and computes
    /// both checksums itself: compiling the RSDP's fields with zeroed
    /// checksums must give exactly our 36 bytes.
    /// </summary>
    [AcpicaFact]
    public void RsdpChecksumsMatchWhatIaslComputes()
    {
        using var workspace = new AcpicaWorkspace();
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), AcpiTestPlatforms.TablesAddress);
        byte[] rsdp = tables.Table("RSD PTR ").ToArray();
        string oem = Encoding.ASCII.GetString(rsdp, 9, 6);
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(rsdp.AsSpan(24));
        Assert.Equal(tables.Tables.Single(t => t.Signature == "XSDT").Address, xsdt);
        string source = $"""
            [0008]                          Signature : "RSD PTR "
            [0001]                           Checksum : 00
            [0006]                             Oem ID : "{oem}"
            [0001]                           Revision : {rsdp[15]:X2}
            [0004]                       RSDT Address : {BinaryPrimitives.ReadUInt32LittleEndian(rsdp.AsSpan(16)):X8}
            [0004]                             Length : {BinaryPrimitives.ReadUInt32LittleEndian(rsdp.AsSpan(20)):X8}
            [0008]                       XSDT Address : {xsdt:X16}
            [0001]                  Extended Checksum : 00
            [0003]                           Reserved : 000000
            """;
        File.WriteAllText(workspace.PathOf("rsdp.asl"), source + "\n");
        ToolResult compile = workspace.Iasl("rsdp.asl");
        Assert.True(compile.ExitCode == 0, compile.Output);
        byte[] compiled = File.ReadAllBytes(workspace.PathOf("rsdp.aml"));
        Assert.Equal(compiled, rsdp);
        Assert.NotEqual(0, rsdp[8] | rsdp[32]); // the oracle really filled in checksums
    }

    private static DataTableDisassembly Disassemble(AcpiPlatform platform, string signature, out AcpiTables tables)
    {
        tables = AcpiTableBuilder.Build(platform, AcpiTestPlatforms.TablesAddress);
        using var workspace = new AcpicaWorkspace();
        return new DataTableDisassembly(workspace.Disassemble(tables.Table(signature), signature.ToLowerInvariant()));
    }
}
