namespace Emu.Core.Acpi;

/// <summary>An ISA 16550 UART: eight ports from <see cref="IoBase"/>, ISA IRQ <see cref="Irq"/> (COM1 is 0x3F8, IRQ 4).</summary>
public readonly record struct AcpiSerialPort(ushort IoBase, int Irq);
