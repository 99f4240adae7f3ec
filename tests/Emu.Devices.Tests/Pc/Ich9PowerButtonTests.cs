using Emu.Core.Machines;
using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Pc;

// The ACPI power button (what system_powerdown presses): PWRBTN_STS in PM1_STS, and an SCI
// once the OS runs in ACPI mode (SCI_EN, which a direct kernel boot sets in the firmware's
// place) and has enabled the button in PM1_EN.
public sealed class Ich9PowerButtonTests
{
    private const ushort PowerButton = 1 << 8;

    private readonly RecordingIrqLine _sci = new();
    private readonly Ich9PowerManagement _pm;

    public Ich9PowerButtonTests()
    {
        var machine = (Machine)DeviceCatalog.CreateRegistry().Find("q35")!.CreateInstance();
        _pm = new Ich9PowerManagement(machine, _sci);
    }

    private ushort Read16(int offset)
    {
        byte[] data = new byte[2];
        _pm.Read((ulong)offset, data);
        return BitConverter.ToUInt16(data);
    }

    private void Write16(int offset, ushort value) => _pm.Write((ulong)offset, BitConverter.GetBytes(value));

    [Fact]
    public void ThePowerButtonRaisesTheSciOnlyInAcpiModeWithTheButtonEnabled()
    {
        _pm.PressPowerButton();
        Assert.Equal(PowerButton, Read16(0x00) & PowerButton); // PM1_STS.PWRBTN_STS
        Assert.False(_sci.Level); // SCI_EN is off: legacy mode
        _pm.EnableSci();
        Assert.True(_pm.AcpiEnabled);
        Assert.False(_sci.Level); // PM1_EN.PWRBTN_EN is off
        Write16(0x02, PowerButton);
        Assert.True(_sci.Level);
        Write16(0x00, PowerButton); // write one to clear
        Assert.False(_sci.Level);
        Assert.Equal(0, Read16(0x00) & PowerButton);
        _pm.PressPowerButton();
        Assert.True(_sci.Level);
        Assert.Equal(2, _sci.RisingEdges);
    }

    [Fact]
    public void ResetLeavesAcpiModeAndClearsTheButton()
    {
        _pm.EnableSci();
        Write16(0x02, PowerButton);
        _pm.PressPowerButton();
        _pm.Reset();
        Assert.False(_sci.Level);
        Assert.False(_pm.AcpiEnabled);
        Assert.Equal(0, Read16(0x00) & PowerButton);
    }
}
