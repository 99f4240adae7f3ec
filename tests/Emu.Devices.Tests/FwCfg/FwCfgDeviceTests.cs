using System.Buffers.Binary;
using System.Text;
using Emu.Devices.FwCfg;

namespace Emu.Devices.Tests.FwCfg;

public sealed class FwCfgDeviceTests
{
    private readonly FwCfgDevice _device = (FwCfgDevice)FwCfgDevice.TypeInfo.CreateInstance();

    private byte[] ReadItem(ushort selector, int length)
    {
        byte[] sel = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(sel, selector);
        _device.Write(0, sel);
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
            _device.Read(1, data.AsSpan(i, 1));
        return data;
    }

    [Fact]
    public void TheSignatureIsQemu() => Assert.Equal("QEMU"u8.ToArray(), ReadItem(FwCfgDevice.Signature, 4));

    [Fact]
    public void FilesAreListedInTheDirectoryAndReadable()
    {
        _device.AddFile("opt/emu/mode", "pio:10"u8.ToArray());
        _device.AddFile("opt/a", new byte[] { 1, 2, 3 });
        byte[] count = ReadItem(FwCfgDevice.FileDirectory, 4);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(count));
        byte[] dir = ReadItem(FwCfgDevice.FileDirectory, 4 + 2 * 64);
        var entries = Enumerable.Range(0, 2).Select(i => dir.AsSpan(4 + i * 64, 64).ToArray()).Select(e => (
            Size: BinaryPrimitives.ReadUInt32BigEndian(e),
            Select: BinaryPrimitives.ReadUInt16BigEndian(e.AsSpan(4)),
            Name: Encoding.ASCII.GetString(e, 8, 56).TrimEnd('\0'))).ToArray();
        Assert.Equal(new[] { "opt/a", "opt/emu/mode" }, entries.Select(e => e.Name));
        var mode = entries.Single(e => e.Name == "opt/emu/mode");
        Assert.Equal(6u, mode.Size);
        Assert.Equal("pio:10", Encoding.ASCII.GetString(ReadItem(mode.Select, 6)));
    }

    [Fact]
    public void ReadingPastAnItemGivesZerosAndUnknownSelectorsAreEmpty()
    {
        Assert.Equal(new byte[] { (byte)'Q', (byte)'E', (byte)'M', (byte)'U', 0, 0 }, ReadItem(FwCfgDevice.Signature, 6));
        Assert.Equal(new byte[4], ReadItem(0x7FFF, 4));
        Assert.Equal(new byte[4], ReadItem(0xC000, 4)); // write and architecture selectors select nothing
    }

    [Fact]
    public void BadFileNamesAreRefused()
    {
        Assert.Throws<Core.Machines.MachineConfigurationException>(() => _device.AddFile(new string('x', 56), Array.Empty<byte>()));
        _device.AddFile("opt/x", Array.Empty<byte>());
        Assert.Throws<Core.Machines.MachineConfigurationException>(() => _device.AddFile("opt/x", Array.Empty<byte>()));
    }
}
