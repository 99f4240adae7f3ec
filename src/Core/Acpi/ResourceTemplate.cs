namespace Emu.Core.Acpi;

/// <summary>
/// A ResourceTemplate: a buffer of resource descriptors (ACPI 6.3, section
/// 6.4) closed by an End Tag, as returned by _CRS. Small descriptors start
/// with one byte (type in bits 6:3, length in bits 2:0); large ones with
/// 0x80 | type and a 16-bit length of what follows the three header bytes.
/// The End Tag's checksum is written as 0, which the spec defines as "the
/// checksum is valid". Address space descriptors are emitted with fixed
/// minimum and maximum (_MIF, _MAF), positive decode and granularity 0, as a
/// host bridge reports the windows it forwards.
/// </summary>
public sealed class ResourceTemplate : AmlNode
{
    // Large resource item names (ACPI 6.3, table 6-232).
    private const byte Memory32FixedTag = 0x86, DWordAddressTag = 0x87, WordAddressTag = 0x88, ExtendedInterruptTag = 0x89, QWordAddressTag = 0x8A;
    // Small resource headers: type << 3 | length (ACPI 6.3, table 6-231).
    private const byte IrqNoFlagsHeader = (0x04 << 3) | 2, IoHeader = (0x08 << 3) | 7, FixedIoHeader = (0x09 << 3) | 3, EndTagHeader = (0x0F << 3) | 1;
    // Resource Type of address space descriptors.
    private const byte MemoryRange = 0, IoRange = 1, BusNumberRange = 2;
    // General flags: _MIF (bit 2) and _MAF (bit 3) set, positive decode.
    private const byte FixedWindow = 0x0C;
    // I/O type-specific flags: _RNG = 3, the window passes ISA and non-ISA ports alike.
    private const byte IoEntireRange = 0x03;

    private readonly AmlWriter _descriptors = new();

    /// <summary>WordBusNumber: the bus numbers a host bridge decodes.</summary>
    public ResourceTemplate WordBusNumber(ushort min, ushort max) =>
        WordAddress(BusNumberRange, ResourceUsage.Producer, 0, min, max);

    /// <summary>WordIO with EntireRange: an I/O port window.</summary>
    public ResourceTemplate WordIo(ushort min, ushort max, ResourceUsage usage = ResourceUsage.Producer) =>
        WordAddress(IoRange, usage, IoEntireRange, min, max);

    /// <summary>IO(Decode16, min, max, alignment, length): ports a device decodes with a full 16-bit address.</summary>
    public ResourceTemplate Io(ushort min, ushort max, byte alignment, byte length)
    {
        if (min > max)
            throw new ArgumentException($"I/O range minimum 0x{min:X} is above its maximum 0x{max:X}");
        _descriptors.Byte(IoHeader);
        _descriptors.Byte(1); // _DEC: 16-bit decode
        _descriptors.Word(min);
        _descriptors.Word(max);
        _descriptors.Byte(alignment);
        _descriptors.Byte(length);
        return this;
    }

    /// <summary>FixedIO: a port range decoded with 10 address bits (ISA).</summary>
    public ResourceTemplate FixedIo(ushort address, byte length)
    {
        if (address > 0x3FF)
            throw new ArgumentOutOfRangeException(nameof(address), address, "fixed I/O descriptors carry a 10-bit address");
        _descriptors.Byte(FixedIoHeader);
        _descriptors.Word(address);
        _descriptors.Byte(length);
        return this;
    }

    /// <summary>DWordMemory, read-write: a memory range below 4 GiB.</summary>
    public ResourceTemplate DWordMemory(uint min, uint max, MemoryCaching caching = MemoryCaching.NonCacheable, ResourceUsage usage = ResourceUsage.Producer)
    {
        if (min > max)
            throw new ArgumentException($"memory range minimum 0x{min:X} is above its maximum 0x{max:X}");
        AddressHeader(DWordAddressTag, 23, MemoryRange, usage, MemoryFlags(caching));
        _descriptors.DWord(0); // granularity
        _descriptors.DWord(min);
        _descriptors.DWord(max);
        _descriptors.DWord(0); // translation offset
        _descriptors.DWord(max - min + 1);
        return this;
    }

    /// <summary>QWordMemory, read-write: a memory range anywhere in the 64-bit space.</summary>
    public ResourceTemplate QWordMemory(ulong min, ulong max, MemoryCaching caching = MemoryCaching.NonCacheable, ResourceUsage usage = ResourceUsage.Producer)
    {
        if (min > max || max - min == ulong.MaxValue)
            throw new ArgumentException($"memory range 0x{min:X}-0x{max:X} is empty or spans all of the address space");
        AddressHeader(QWordAddressTag, 43, MemoryRange, usage, MemoryFlags(caching));
        _descriptors.QWord(0);
        _descriptors.QWord(min);
        _descriptors.QWord(max);
        _descriptors.QWord(0);
        _descriptors.QWord(max - min + 1);
        return this;
    }

    /// <summary>Memory32Fixed: registers a device decodes at a fixed address.</summary>
    public ResourceTemplate Memory32Fixed(uint address, uint length, bool readWrite = true)
    {
        _descriptors.Byte(Memory32FixedTag);
        _descriptors.Word(9);
        _descriptors.Byte((byte)(readWrite ? 1 : 0));
        _descriptors.DWord(address);
        _descriptors.DWord(length);
        return this;
    }

    /// <summary>
    /// Interrupt(ResourceConsumer, ...): the extended interrupt descriptor,
    /// which names global system interrupts rather than ISA IRQs.
    /// </summary>
    public ResourceTemplate Interrupt(InterruptTrigger trigger, InterruptPolarity polarity, bool shared, params uint[] interrupts)
    {
        if (interrupts.Length is 0 or > byte.MaxValue)
            throw new ArgumentException("an interrupt descriptor lists 1 to 255 interrupts", nameof(interrupts));
        int flags = 1; // consumer
        if (trigger == InterruptTrigger.Edge)
            flags |= 1 << 1;
        if (polarity == InterruptPolarity.ActiveLow)
            flags |= 1 << 2;
        if (shared)
            flags |= 1 << 3;
        _descriptors.Byte(ExtendedInterruptTag);
        _descriptors.Word((ushort)(2 + 4 * interrupts.Length));
        _descriptors.Byte((byte)flags);
        _descriptors.Byte((byte)interrupts.Length);
        foreach (uint gsi in interrupts)
            _descriptors.DWord(gsi);
        return this;
    }

    /// <summary>IRQNoFlags: ISA IRQs 0-15 as a bit mask, implicitly edge-triggered, active-high, exclusive.</summary>
    public ResourceTemplate IrqNoFlags(params int[] irqs)
    {
        ushort mask = 0;
        foreach (int irq in irqs)
        {
            if (irq is < 0 or > 15)
                throw new ArgumentOutOfRangeException(nameof(irqs), irq, "ISA IRQs are 0-15");
            mask |= (ushort)(1 << irq);
        }
        _descriptors.Byte(IrqNoFlagsHeader);
        _descriptors.Word(mask);
        return this;
    }

    /// <summary>The descriptors and the End Tag: the contents of the buffer.</summary>
    public byte[] ToDescriptorBytes()
    {
        var bytes = new AmlWriter();
        bytes.Bytes(_descriptors.ToArray());
        bytes.Byte(EndTagHeader);
        bytes.Byte(0); // checksum 0: treated as valid
        return bytes.ToArray();
    }

    public override void WriteTo(AmlWriter writer) => Aml.Buffer(ToDescriptorBytes()).WriteTo(writer);

    private ResourceTemplate WordAddress(byte resourceType, ResourceUsage usage, byte typeFlags, ushort min, ushort max)
    {
        if (min > max || max - min == ushort.MaxValue)
            throw new ArgumentException($"range 0x{min:X}-0x{max:X} is empty or too long for a 16-bit length");
        AddressHeader(WordAddressTag, 13, resourceType, usage, typeFlags);
        _descriptors.Word(0);
        _descriptors.Word(min);
        _descriptors.Word(max);
        _descriptors.Word(0);
        _descriptors.Word((ushort)(max - min + 1));
        return this;
    }

    private void AddressHeader(byte tag, ushort length, byte resourceType, ResourceUsage usage, byte typeFlags)
    {
        _descriptors.Byte(tag);
        _descriptors.Word(length);
        _descriptors.Byte(resourceType);
        _descriptors.Byte((byte)(FixedWindow | (int)usage));
        _descriptors.Byte(typeFlags);
    }

    // Memory type-specific flags: _RW (bit 0) read-write, _MEM in bits 2:1, _MTP = AddressRangeMemory.
    private static byte MemoryFlags(MemoryCaching caching) => (byte)(1 | ((int)caching << 1));
}
