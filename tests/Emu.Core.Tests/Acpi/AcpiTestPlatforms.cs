using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>Platforms shaped like the q35 board: 2 GiB RAM below 4 GiB, windows as Q35Layout places them.</summary>
internal static class AcpiTestPlatforms
{
    public const ulong TablesAddress = 0xE0000;

    public static AcpiPlatform Q35(int cpus = 2) => new()
    {
        CpuCount = cpus,
        Mmio32 = new AcpiAddressRange(0xC000_0000, 0xFE00_0000 - 0xC000_0000),
        Mmio64 = new AcpiAddressRange(0x1_8000_0000, 64UL << 30),
        SerialPorts = [new AcpiSerialPort(0x3F8, 4)],
        HasCmosRtc = true,
        HasI8042 = true,
    };
}
