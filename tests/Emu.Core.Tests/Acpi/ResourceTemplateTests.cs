using System.Buffers.Binary;
using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>Resource descriptors (ACPI 6.3, 6.4) and the buffer that carries them.</summary>
public class ResourceTemplateTests
{
    [Fact]
    public void AnEmptyTemplateIsJustTheEndTagWithChecksumZero()
    {
        Assert.Equal(new byte[] { 0x79, 0x00 }, new ResourceTemplate().ToDescriptorBytes());
    }

    [Fact]
    public void TheTemplateIsABufferWhoseSizeMatchesItsBytes()
    {
        var template = new ResourceTemplate().Io(0x3F8, 0x3F8, 1, 8).IrqNoFlags(4);
        byte[] descriptors = template.ToDescriptorBytes();
        byte[] aml = template.ToArray();
        Assert.Equal(0x11, aml[0]); // BufferOp
        Assert.Equal(aml.Length - 1, aml[1]); // one-byte PkgLength
        Assert.Equal(new byte[] { 0x0A, (byte)descriptors.Length }, aml[2..4]);
        Assert.Equal(descriptors, aml[4..]);
        Assert.Equal(new byte[] { 0x79, 0x00 }, descriptors[^2..]);
    }

    [Fact]
    public void IoAndIrqNoFlagsAreSmallDescriptors()
    {
        byte[] bytes = new ResourceTemplate().Io(0x3F8, 0x3F8, 1, 8).IrqNoFlags(4, 3).ToDescriptorBytes();
        byte[] expected =
        [
            0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, // I/O port, 16-bit decode
            0x22, 0x18, 0x00, // IRQ without info byte: mask bits 3 and 4
            0x79, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void FixedIoCarriesTenAddressBits()
    {
        Assert.Equal(new byte[] { 0x4B, 0x60, 0x00, 0x01, 0x79, 0x00 }, new ResourceTemplate().FixedIo(0x60, 1).ToDescriptorBytes());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResourceTemplate().FixedIo(0x400, 1));
    }

    [Fact]
    public void WordBusNumberIsAFixedProducedRange()
    {
        byte[] bytes = new ResourceTemplate().WordBusNumber(0, 0xFF).ToDescriptorBytes();
        Assert.Equal(0x88, bytes[0]);
        Assert.Equal(13, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(1)));
        Assert.Equal(2, bytes[3]); // bus number range
        Assert.Equal(0x0C, bytes[4]); // _MIF | _MAF, producer, positive decode
        Assert.Equal(0xFF, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)));
        Assert.Equal(0x100, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(14)));
    }

    [Fact]
    public void AddressDescriptorLengthsAreMaxMinusMinPlusOne()
    {
        byte[] dword = new ResourceTemplate().DWordMemory(0xC000_0000, 0xFDFF_FFFF).ToDescriptorBytes();
        Assert.Equal(0x87, dword[0]);
        Assert.Equal(23, BinaryPrimitives.ReadUInt16LittleEndian(dword.AsSpan(1)));
        Assert.Equal(0x01, dword[5]); // read-write, non-cacheable
        Assert.Equal(0x3E00_0000u, BinaryPrimitives.ReadUInt32LittleEndian(dword.AsSpan(22)));

        byte[] qword = new ResourceTemplate().QWordMemory(0x1_0000_0000, 0x1_FFFF_FFFF, MemoryCaching.Cacheable, ResourceUsage.Consumer).ToDescriptorBytes();
        Assert.Equal(0x8A, qword[0]);
        Assert.Equal(43, BinaryPrimitives.ReadUInt16LittleEndian(qword.AsSpan(1)));
        Assert.Equal(0x0D, qword[4]); // consumer
        Assert.Equal(0x03, qword[5]); // read-write, cacheable
        Assert.Equal(0x1_0000_0000UL, BinaryPrimitives.ReadUInt64LittleEndian(qword.AsSpan(38)));
    }

    [Fact]
    public void ExtendedInterruptFlagsFollowTheSpec()
    {
        byte[] bytes = new ResourceTemplate().Interrupt(InterruptTrigger.Level, InterruptPolarity.ActiveLow, shared: true, 16, 17).ToDescriptorBytes();
        byte[] expected = [0x89, 10, 0, 0x0D, 2, 16, 0, 0, 0, 17, 0, 0, 0, 0x79, 0x00];
        Assert.Equal(expected, bytes);
        byte[] edge = new ResourceTemplate().Interrupt(InterruptTrigger.Edge, InterruptPolarity.ActiveHigh, shared: false, 5).ToDescriptorBytes();
        Assert.Equal(0x03, edge[3]);
    }

    [Fact]
    public void Memory32FixedDescribesRegisters()
    {
        byte[] bytes = new ResourceTemplate().Memory32Fixed(0xB000_0000, 0x1000_0000).ToDescriptorBytes();
        byte[] expected = [0x86, 9, 0, 1, 0x00, 0x00, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x10, 0x79, 0x00];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void RejectsInvertedOrImpossibleRanges()
    {
        Assert.Throws<ArgumentException>(() => new ResourceTemplate().WordIo(0x100, 0xFF));
        Assert.Throws<ArgumentException>(() => new ResourceTemplate().WordIo(0, 0xFFFF)); // the length does not fit 16 bits
        Assert.Throws<ArgumentException>(() => new ResourceTemplate().DWordMemory(2, 1));
        Assert.Throws<ArgumentException>(() => new ResourceTemplate().Io(2, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResourceTemplate().IrqNoFlags(16));
        Assert.Throws<ArgumentException>(() => new ResourceTemplate().Interrupt(InterruptTrigger.Level, InterruptPolarity.ActiveHigh, false));
    }
}
