using System.Buffers.Binary;
using System.Text;
using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>The blob's layout and internal pointers, read back with offsets from ACPI 6.3 chapter 5.</summary>
public class AcpiTableBuilderTests
{
    private const ulong Base = AcpiTestPlatforms.TablesAddress;

    [Fact]
    public void TheRsdpComesFirstAndItsBothChecksumsHold()
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), Base);
        Assert.Equal(Base, tables.RsdpAddress);
        ReadOnlySpan<byte> rsdp = tables.Blob[..36];
        Assert.Equal("RSD PTR ", Encoding.ASCII.GetString(rsdp[..8]));
        Assert.Equal(2, rsdp[15]);
        Assert.Equal(36u, BinaryPrimitives.ReadUInt32LittleEndian(rsdp[20..]));
        Assert.True(AcpiChecksum.IsValid(rsdp[..20]), "RSDP checksum over the first 20 bytes");
        Assert.True(AcpiChecksum.IsValid(rsdp), "RSDP extended checksum over all 36 bytes");
    }

    [Fact]
    public void EveryTableHasAValidChecksumAndItsOwnLength()
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(4), Base);
        foreach (AcpiTableLocation table in tables.Tables.Where(t => t.Signature is not ("RSD PTR " or "FACS")))
        {
            ReadOnlySpan<byte> bytes = tables.Table(table.Signature);
            Assert.Equal(table.Signature, Encoding.ASCII.GetString(bytes[..4]));
            Assert.Equal((uint)table.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]));
            Assert.True(AcpiChecksum.IsValid(bytes), $"{table.Signature} checksum");
        }
    }

    [Fact]
    public void PointersLeadFromTheRsdpToEveryTable()
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), Base);
        ReadOnlySpan<byte> blob = tables.Blob;
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(blob[24..]);
        Assert.Equal("XSDT", SignatureAt(tables, xsdt));
        uint xsdtLength = BinaryPrimitives.ReadUInt32LittleEndian(At(tables, xsdt)[4..]);
        var reached = new List<string>();
        for (int entry = 36; entry < xsdtLength; entry += 8)
            reached.Add(SignatureAt(tables, BinaryPrimitives.ReadUInt64LittleEndian(At(tables, xsdt)[entry..])));
        Assert.Equal(["FACP", "APIC", "MCFG"], reached);

        ReadOnlySpan<byte> fadt = tables.Table("FACP");
        ulong facs = BinaryPrimitives.ReadUInt64LittleEndian(fadt[132..]);
        ulong dsdt = BinaryPrimitives.ReadUInt64LittleEndian(fadt[140..]);
        Assert.Equal("FACS", SignatureAt(tables, facs));
        Assert.Equal("DSDT", SignatureAt(tables, dsdt));
        // Below 4 GiB the 32-bit pointers carry the same addresses.
        Assert.Equal(facs, BinaryPrimitives.ReadUInt32LittleEndian(fadt[36..]));
        Assert.Equal(dsdt, BinaryPrimitives.ReadUInt32LittleEndian(fadt[40..]));
    }

    [Theory]
    [InlineData(0xE0000UL)]
    [InlineData(0xE0010UL)]
    [InlineData(0xE0030UL)]
    public void TheFacsIs64ByteAlignedInGuestMemory(ulong guestAddress)
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), guestAddress);
        AcpiTableLocation facs = tables.Tables.Single(t => t.Signature == "FACS");
        Assert.Equal(0UL, facs.Address % 64);
        Assert.Equal(64, facs.Length);
    }

    [Fact]
    public void TablesDoNotOverlapAndFitTheBlob()
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(8), Base);
        int end = 0;
        foreach (AcpiTableLocation table in tables.Tables.OrderBy(t => t.Offset))
        {
            Assert.True(table.Offset >= end, $"{table.Signature} overlaps the table before it");
            Assert.Equal(Base + (ulong)table.Offset, table.Address);
            end = table.Offset + table.Length;
        }
        Assert.Equal(tables.Length, end);
        // The whole blob fits the BIOS area the legacy RSDP scan covers.
        Assert.True(Base + (ulong)tables.Length <= 0x10_0000);
    }

    [Fact]
    public void AboveFourGiBOnlyTheExtendedPointersAreSet()
    {
        const ulong high = 0x1_0000_0000;
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), high);
        ReadOnlySpan<byte> fadt = tables.Table("FACP");
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(fadt[36..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(fadt[40..]));
        Assert.Equal("DSDT", SignatureAt(tables, BinaryPrimitives.ReadUInt64LittleEndian(fadt[140..])));
    }

    [Fact]
    public void TheRsdpMustBeSixteenByteAligned()
    {
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(), Base + 8));
    }

    [Fact]
    public void RejectsPlatformsTheTablesCannotDescribe()
    {
        AcpiPlatform good = AcpiTestPlatforms.Q35();
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { CpuCount = 0 }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { CpuCount = 256 }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { PmBase = 0x610 }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { SciIrq = 20 }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { EcamBusCount = 0 }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { Mmio32 = new AcpiAddressRange(0xFFFF_0000, 0x20000) }, Base));
        Assert.Throws<ArgumentException>(() => AcpiTableBuilder.Build(good with { SerialPorts = [new AcpiSerialPort(0x3F8, 16)] }, Base));
    }

    [Fact]
    public void TheLargestMachineStillFits()
    {
        AcpiTables tables = AcpiTableBuilder.Build(AcpiTestPlatforms.Q35(255), Base);
        // MADT: header and 8 bytes, 255 local APICs, one IOAPIC, two overrides, one local APIC NMI.
        Assert.Equal(44 + 255 * 8 + 12 + 2 * 10 + 6, tables.Table("APIC").Length);
        Assert.True(Base + (ulong)tables.Length <= 0x10_0000);
    }

    [Fact]
    public void FadtBootFlagsFollowThePlatform()
    {
        AcpiPlatform bare = AcpiTestPlatforms.Q35() with { SerialPorts = [], HasCmosRtc = false, HasI8042 = false };
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(AcpiTableBuilder.Build(bare, Base).Table("FACP")[109..]);
        // No legacy devices, no 8042, VGA not present, ASPM controls, CMOS RTC not present.
        Assert.Equal(0x0004 | 0x0010 | 0x0020, flags);
    }

    private static ReadOnlySpan<byte> At(AcpiTables tables, ulong address) => tables.Blob[checked((int)(address - tables.GuestAddress))..];

    private static string SignatureAt(AcpiTables tables, ulong address) => Encoding.ASCII.GetString(At(tables, address)[..4]);
}
