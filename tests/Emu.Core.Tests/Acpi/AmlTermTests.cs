using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>Encodings of the named objects, control flow and operators the DSDT uses (ACPI 6.3, 20.2.5).</summary>
public class AmlTermTests
{
    [Fact]
    public void NameIsNameOpNameAndValue()
    {
        byte[] expected = [0x08, .. "_UID"u8, 0x0A, 0x05];
        Assert.Equal(expected, Aml.Name("_UID", 5).ToArray());
    }

    [Fact]
    public void DeviceUsesTheExtendedOpcodeAndAPackageLength()
    {
        byte[] device = Aml.Device("COM1", Aml.Name("_UID", 1)).ToArray();
        // 5B 82, PkgLength = 1 + 4 (name) + 6 (Name term), "COM1", the Name term.
        byte[] expected = [0x5B, 0x82, 11, .. "COM1"u8, 0x08, .. "_UID"u8, 0x01];
        Assert.Equal(expected, device);
    }

    [Theory]
    [InlineData(0, false, 0x00)]
    [InlineData(4, false, 0x04)]
    [InlineData(2, true, 0x0A)]
    [InlineData(7, true, 0x0F)]
    public void MethodFlagsCarryArgumentCountAndSerialization(int arguments, bool serialized, byte flags)
    {
        byte[] method = Aml.Method("_STA", arguments, serialized, Aml.Return(0x0F)).ToArray();
        // PkgLength = 1 (itself) + 4 (name) + 1 (flags) + 3 (Return (0x0F)).
        byte[] expected = [0x14, 9, .. "_STA"u8, flags, 0xA4, 0x0A, 0x0F];
        Assert.Equal(expected, method);
    }

    [Fact]
    public void MethodsTakeAtMostSevenArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aml.Method("FOO", 8, false));
    }

    [Fact]
    public void PackagesCountTheirElements()
    {
        byte[] expected = [0x12, 6, 4, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(expected, Aml.Package(0, 0, 0, 0).ToArray());
    }

    [Fact]
    public void LargePackagesUseVarPackage()
    {
        AmlNode[] elements = Enumerable.Repeat(Aml.One, 300).ToArray();
        byte[] package = Aml.Package(elements).ToArray();
        Assert.Equal(0x13, package[0]); // VarPackageOp
        // PkgLength of 2 bytes, then the count as a Word constant.
        Assert.Equal(new byte[] { 0x0B, 0x2C, 0x01 }, package[3..6]);
    }

    [Fact]
    public void IfElseNotEqualAndOr()
    {
        // If (Arg1 != One) { Or (Local0, 0x08, Local0) } Else { Return (Zero) }
        byte[] bytes = Aml.Block(
            Aml.If(Aml.LNotEqual(Aml.Arg(1), 1), Aml.Or(Aml.Local(0), 8, Aml.Local(0))),
            Aml.Else(Aml.Return(0))).ToArray();
        byte[] expected =
        [
            0xA0, 10, 0x92, 0x93, 0x69, 0x01, 0x7D, 0x60, 0x0A, 0x08, 0x60,
            0xA1, 3, 0xA4, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void BinaryOperatorsWithoutTargetStoreToNullName()
    {
        Assert.Equal(new byte[] { 0x7B, 0x60, 0x0A, 0x1D, 0x00 }, Aml.And(Aml.Local(0), 0x1D).ToArray());
    }

    [Fact]
    public void StoreNotifyAndCreateDWordField()
    {
        Assert.Equal(new byte[] { 0x70, 0x68, 0x61 }, Aml.Store(Aml.Arg(0), Aml.Local(1)).ToArray());
        byte[] notify = [0x86, .. "\\_SB_"u8, 0x0A, 0x80];
        Assert.Equal(notify, Aml.Notify(Aml.NamePath("\\_SB"), 0x80).ToArray());
        byte[] field = [0x8A, 0x6B, 0x0A, 0x08, .. "CDW3"u8];
        Assert.Equal(field, Aml.CreateDWordField(Aml.Arg(3), 8, "CDW3").ToArray());
    }

    [Fact]
    public void LocalsAndArgsAreSingleOpcodes()
    {
        Assert.Equal(new byte[] { 0x60 }, Aml.Local(0).ToArray());
        Assert.Equal(new byte[] { 0x67 }, Aml.Local(7).ToArray());
        Assert.Equal(new byte[] { 0x68 }, Aml.Arg(0).ToArray());
        Assert.Equal(new byte[] { 0x6E }, Aml.Arg(6).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Aml.Local(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aml.Arg(7));
    }

    [Fact]
    public void UuidsUseTheMixedEndianLayoutOfToUuid()
    {
        // ToUUID("33DB4D5B-1FF7-401C-9657-7441C03DD766"): the first three fields byte-swapped, the rest in order.
        byte[] expected =
        [
            0x11, 19, 0x0A, 16,
            0x5B, 0x4D, 0xDB, 0x33, 0xF7, 0x1F, 0x1C, 0x40, 0x96, 0x57, 0x74, 0x41, 0xC0, 0x3D, 0xD7, 0x66,
        ];
        Assert.Equal(expected, Aml.Uuid("33DB4D5B-1FF7-401C-9657-7441C03DD766").ToArray());
    }
}
