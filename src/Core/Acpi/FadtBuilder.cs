namespace Emu.Core.Acpi;

/// <summary>
/// The Fixed ACPI Description Table, signature "FACP" (ACPI 6.3, section
/// 5.2.9, table 5-34): revision 6, minor version 3, 276 bytes. It describes
/// the ICH9 PM I/O block at PMBASE, where the ICH9 model keeps
/// PM1_STS/PM1_EN (+0, 2 + 2 bytes), PM1_CNT (+4), the 24-bit PM timer (+8)
/// and GPE0_STS/GPE0_EN (+0x20, 8 + 8 bytes). Every legacy 32-bit block
/// address has a matching X_ Generic Address Structure with the same
/// address and a bit width of 8 × the block length, as ACPICA checks.
///
/// Choices:
/// <list type="bullet">
/// <item>SMI_CMD = 0, ACPI_ENABLE = ACPI_DISABLE = 0: there is no SMM, so
/// the machine has no legacy mode; the OS treats the platform as already in
/// ACPI mode and never writes an enable command. The VMM must therefore set
/// PM1_CNT.SCI_EN itself before the OS runs.</item>
/// <item>Flags: WBINVD (the CPU implements it), PROC_C1 (HLT on every CPU),
/// SLP_BUTTON (no sleep button at all), FIX_RTC (PM1 has no RTC_STS/RTC_EN,
/// so no RTC wake through fixed hardware), RESET_REG_SUP. PWR_BUTTON is
/// clear: the power button is the fixed-hardware one (PWRBTN_STS in PM1).
/// TMR_VAL_EXT is clear: the PM timer counts 24 bits. HW_REDUCED_ACPI is clear.</item>
/// <item>P_LVL2_LAT = 101 and P_LVL3_LAT = 1001: values the spec defines as
/// "C2/C3 not supported"; C1 only.</item>
/// <item>IAPC_BOOT_ARCH is derived from the platform: LEGACY_DEVICES when
/// there are ISA devices (UARTs, RTC, 8042), 8042 when a keyboard controller
/// exists, VGA_NOT_PRESENT without VGA, CMOS_RTC_NOT_PRESENT without an RTC,
/// and PCIE_ASPM_CONTROLS always: there are no physical links whose power
/// state the guest should manage (a passed-through device's link belongs to the host).</item>
/// <item>RESET_REG: one byte in I/O space (Linux requires bit width 8 and
/// offset 0) at the platform's reset port, value SYS_RST | RST_CPU.</item>
/// <item>CENTURY = 0x32, the conventional CMOS century byte, when there is an RTC.</item>
/// </list>
/// </summary>
internal static class FadtBuilder
{
    public const int Size = 276;
    private const byte Revision = 6, MinorVersion = 3;

    // Offsets inside the ICH9 PM I/O block and the block lengths.
    public const int Pm1EventOffset = 0x00, Pm1ControlOffset = 0x04, PmTimerOffset = 0x08, Gpe0Offset = 0x20;
    public const int Pm1EventLength = 4, Pm1ControlLength = 2, PmTimerLength = 4, Gpe0Length = 16;

    // FADT fixed feature flags (table 5-35).
    public const uint Wbinvd = 1 << 0, ProcC1 = 1 << 2, PowerButton = 1 << 4, SleepButton = 1 << 5, FixRtc = 1 << 6,
        TimerValueExtended = 1 << 8, ResetRegisterSupported = 1 << 10, HardwareReduced = 1 << 20;

    // IA-PC boot architecture flags (table 5-36).
    public const ushort LegacyDevices = 1 << 0, Has8042 = 1 << 1, VgaNotPresent = 1 << 2, PcieAspmControls = 1 << 4, CmosRtcNotPresent = 1 << 5;

    private const ushort C2NotSupported = 101, C3NotSupported = 1001;
    private const byte CmosCenturyIndex = 0x32;

    public static byte[] Build(AcpiPlatform platform, ulong facsAddress, ulong dsdtAddress)
    {
        ushort pm = platform.PmBase;
        var table = new AcpiTableWriter("FACP", Revision);
        table.DWord(Low32(facsAddress)); // FIRMWARE_CTRL
        table.DWord(Low32(dsdtAddress)); // DSDT
        table.Byte(0); // reserved (INT_MODEL in ACPI 1.0)
        table.Byte(0); // Preferred_PM_Profile: unspecified
        table.Word((ushort)platform.SciIrq);
        table.DWord(0); // SMI_CMD: no SMM, ACPI is always enabled
        table.Byte(0); // ACPI_ENABLE
        table.Byte(0); // ACPI_DISABLE
        table.Byte(0); // S4BIOS_REQ
        table.Byte(0); // PSTATE_CNT
        table.DWord((uint)(pm + Pm1EventOffset)); // PM1a_EVT_BLK
        table.DWord(0); // PM1b_EVT_BLK
        table.DWord((uint)(pm + Pm1ControlOffset)); // PM1a_CNT_BLK
        table.DWord(0); // PM1b_CNT_BLK
        table.DWord(0); // PM2_CNT_BLK
        table.DWord((uint)(pm + PmTimerOffset)); // PM_TMR_BLK
        table.DWord((uint)(pm + Gpe0Offset)); // GPE0_BLK
        table.DWord(0); // GPE1_BLK
        table.Byte(Pm1EventLength);
        table.Byte(Pm1ControlLength);
        table.Byte(0); // PM2_CNT_LEN
        table.Byte(PmTimerLength);
        table.Byte(Gpe0Length);
        table.Byte(0); // GPE1_BLK_LEN
        table.Byte(0); // GPE1_BASE
        table.Byte(0); // CST_CNT: no _CST support
        table.Word(C2NotSupported); // P_LVL2_LAT
        table.Word(C3NotSupported); // P_LVL3_LAT
        table.Word(0); // FLUSH_SIZE
        table.Word(0); // FLUSH_STRIDE
        table.Byte(0); // DUTY_OFFSET
        table.Byte(0); // DUTY_WIDTH
        table.Byte(0); // DAY_ALRM: not supported
        table.Byte(0); // MON_ALRM: not supported
        table.Byte(platform.HasCmosRtc ? CmosCenturyIndex : (byte)0);
        table.Word(BootArchitecture(platform));
        table.Byte(0); // reserved
        table.DWord(Wbinvd | ProcC1 | SleepButton | FixRtc | ResetRegisterSupported);
        table.Gas(GenericAddress.Io(platform.ResetPort, 1, GasAccessSize.Byte)); // RESET_REG
        table.Byte(platform.ResetValue);
        table.Word(0); // ARM_BOOT_ARCH
        table.Byte(MinorVersion);
        table.QWord(facsAddress); // X_FIRMWARE_CTRL
        table.QWord(dsdtAddress); // X_DSDT
        table.Gas(GenericAddress.Io((ushort)(pm + Pm1EventOffset), Pm1EventLength, GasAccessSize.Word)); // X_PM1a_EVT_BLK
        table.Gas(GenericAddress.None); // X_PM1b_EVT_BLK
        table.Gas(GenericAddress.Io((ushort)(pm + Pm1ControlOffset), Pm1ControlLength, GasAccessSize.Word)); // X_PM1a_CNT_BLK
        table.Gas(GenericAddress.None); // X_PM1b_CNT_BLK
        table.Gas(GenericAddress.None); // X_PM2_CNT_BLK
        table.Gas(GenericAddress.Io((ushort)(pm + PmTimerOffset), PmTimerLength, GasAccessSize.DWord)); // X_PM_TMR_BLK
        table.Gas(GenericAddress.Io((ushort)(pm + Gpe0Offset), Gpe0Length, GasAccessSize.Byte)); // X_GPE0_BLK
        table.Gas(GenericAddress.None); // X_GPE1_BLK
        table.Gas(GenericAddress.None); // SLEEP_CONTROL_REG: hardware-reduced only
        table.Gas(GenericAddress.None); // SLEEP_STATUS_REG: hardware-reduced only
        table.Bytes("EMUVM   "u8); // Hypervisor Vendor Identity
        byte[] bytes = table.ToArray();
        if (bytes.Length != Size)
            throw new InvalidOperationException($"FADT is {bytes.Length} bytes, expected {Size}");
        return bytes;
    }

    public static ushort BootArchitecture(AcpiPlatform platform)
    {
        ushort flags = PcieAspmControls;
        if (platform.SerialPorts.Count > 0 || platform.HasCmosRtc || platform.HasI8042)
            flags |= LegacyDevices;
        if (platform.HasI8042)
            flags |= Has8042;
        if (!platform.HasVga)
            flags |= VgaNotPresent;
        if (!platform.HasCmosRtc)
            flags |= CmosRtcNotPresent;
        return flags;
    }

    // The 32-bit pointer fields hold the same address as the X_ fields when it fits, else 0 (then only X_ is valid).
    private static uint Low32(ulong address) => address <= uint.MaxValue ? (uint)address : 0;
}
