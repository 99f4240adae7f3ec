using Emu.Core.Boot;
using Segment = Emu.Core.Tests.Boot.SyntheticKernels.Segment;

namespace Emu.Core.Tests.Boot;

public sealed class ElfKernelTests
{
    private static readonly Segment[] s_segments =
    {
        new(0x100_0000, Enumerable.Repeat((byte)0x90, 0x3000).ToArray(), 0x3000),
        new(0x100_4000, new byte[] { 1, 2, 3, 4 }, 0x2000), // .data with .bss after it
    };

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void ThePvhEntryNoteAndTheSegmentsAreRead(int valueSize)
    {
        ElfKernel elf = ElfKernel.Parse(SyntheticKernels.Elf(s_segments, 0x100_0850, valueSize));
        Assert.Equal(0x100_0850u, elf.PvhEntry);
        Assert.Equal(2, elf.Segments.Count);
        Assert.Equal(new ElfSegment(0x100_4000, elf.Segments[1].FileOffset, 4, 0x2000), elf.Segments[1]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, elf.File.ReadBytes((long)elf.Segments[1].FileOffset, 4));
        Assert.Equal(0x100_0000UL, elf.Start);
        Assert.Equal(0x100_6000UL, elf.End);
    }

    [Fact]
    public void AnElfWithoutThePvhNoteIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => ElfKernel.Parse(SyntheticKernels.Elf(s_segments, pvhEntry: null)));
        Assert.Contains("no PVH entry point", e.Message);
        Assert.Equal(BootInput.Kernel, e.Input);
    }

    [Fact]
    public void ThirtyTwoBitAndForeignElfFilesAreRefused()
    {
        Assert.Contains("32-bit", Assert.Throws<BootImageException>(() => ElfKernel.Parse(SyntheticKernels.Elf(s_segments, 0x100_0000, elfClass: 1))).Message);
        Assert.Contains("not x86-64", Assert.Throws<BootImageException>(() => ElfKernel.Parse(SyntheticKernels.Elf(s_segments, 0x100_0000, machine: 183))).Message);
    }

    [Fact]
    public void AnEntryNoteAbove4GiBIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => ElfKernel.Parse(SyntheticKernels.Elf(s_segments, 0x1_0000_0000)));
        Assert.Contains("above 4 GiB", e.Message);
    }

    [Fact]
    public void HeadersPointingOutsideTheFileAreRefused()
    {
        byte[] file = SyntheticKernels.Elf(s_segments, 0x100_0000);
        byte[] badPhoff = (byte[])file.Clone();
        BitConverter.TryWriteBytes(badPhoff.AsSpan(32), (ulong)file.Length - 8);
        Assert.Contains("outside the file", Assert.Throws<BootImageException>(() => ElfKernel.Parse(badPhoff)).Message);

        byte[] badSegment = (byte[])file.Clone();
        BitConverter.TryWriteBytes(badSegment.AsSpan(64 + 32), (ulong)1 << 40); // p_filesz of the first segment
        Assert.Contains("outside the file", Assert.Throws<BootImageException>(() => ElfKernel.Parse(badSegment)).Message);

        byte[] fileBiggerThanMemory = (byte[])file.Clone();
        BitConverter.TryWriteBytes(fileBiggerThanMemory.AsSpan(64 + 40), 1UL); // p_memsz < p_filesz
        Assert.Contains("more file bytes", Assert.Throws<BootImageException>(() => ElfKernel.Parse(fileBiggerThanMemory)).Message);
    }

    [Fact]
    public void ANoteRunningPastItsSegmentIsRefused()
    {
        byte[] file = SyntheticKernels.Elf(s_segments, 0x100_0000);
        // The note segment is the last program header; make its first note claim a huge descriptor.
        int notePh = 64 + s_segments.Length * 56;
        long noteOffset = BitConverter.ToInt64(file, notePh + 8);
        BitConverter.TryWriteBytes(file.AsSpan((int)noteOffset + 4), 0x7FFF_0000u);
        Assert.Contains("past the end", Assert.Throws<BootImageException>(() => ElfKernel.Parse(file)).Message);
    }
}
