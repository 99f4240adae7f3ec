using System.Buffers.Binary;
using System.Text;
using Emu.Core.Boot;
using Emu.Core.Cpu;
using Emu.Core.Memory;
using Segment = Emu.Core.Tests.Boot.SyntheticKernels.Segment;

namespace Emu.Core.Tests.Boot;

public sealed class DirectKernelBootTests : IDisposable
{
    private const ulong RamSize = 256 << 20;
    private readonly RamBlock _block = new("ram", RamSize);
    private readonly GuestMemory _ram;
    private readonly E820Map _map = TestMaps.Pc(RamSize);

    public DirectKernelBootTests()
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("system", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("memory", root);
        root.AddSubregion(MemoryRegion.CreateRam("ram", _block), 0);
        _ram = GuestMemory.Follow(space);
    }

    public void Dispose() => _block.Dispose();

    private byte[] Read(ulong address, int length)
    {
        byte[] bytes = new byte[length];
        _ram.ReadBytes(new GuestAddress(address), bytes);
        return bytes;
    }

    private uint U32(ulong address) => _ram.Read<uint>(new GuestAddress(address));

    private ulong U64(ulong address) => _ram.Read<ulong>(new GuestAddress(address));

    [Fact]
    public void ABzImageGetsBootParamsWithTheMapCommandLineAndInitrd()
    {
        byte[] kernel = SyntheticKernels.BzImage();
        byte[] initrd = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 3)).ToArray();
        var boot = DirectKernelBoot.Prepare(kernel, initrd, "console=ttyS0 root=/dev/ram0", _map, rsdp: 0xE_0000);
        boot.Load(_ram);

        const ulong zp = LowMemoryLayout.BootParamsAddress;
        // The setup header copied over, with the loader's fields.
        Assert.Equal("HdrS", Encoding.ASCII.GetString(Read(zp + 0x202, 4)));
        Assert.Equal(0xFF, Read(zp + 0x210, 1)[0]);
        Assert.Equal(0x020F, BinaryPrimitives.ReadUInt16LittleEndian(Read(zp + 0x206, 2)));
        Assert.Equal((uint)LowMemoryLayout.CommandLineAddress, U32(zp + 0x228));
        Assert.Equal("console=ttyS0 root=/dev/ram0\0", Encoding.ASCII.GetString(Read(LowMemoryLayout.CommandLineAddress, 29)));
        Assert.Equal(0xE_0000UL, U64(zp + 0x070));
        // The initrd: page aligned, as high as RAM allows, and its bytes there.
        uint initrdAt = U32(zp + 0x218);
        Assert.Equal((uint)initrd.Length, U32(zp + 0x21C));
        Assert.Equal(0u, initrdAt % 4096);
        Assert.True(initrdAt + (ulong)initrd.Length <= RamSize);
        Assert.True(initrdAt + (ulong)initrd.Length > RamSize - 4096);
        Assert.Equal(initrd, Read(initrdAt, initrd.Length));
        Assert.Equal(0u, U32(zp + 0x0C0)); // ext_ramdisk_image: below 4 GiB
        // E820: count and every entry.
        Assert.Equal(_map.Entries.Count, Read(zp + 0x1E8, 1)[0]);
        for (int i = 0; i < _map.Entries.Count; i++)
        {
            ulong entry = zp + 0x2D0 + (ulong)i * 20;
            Assert.Equal(_map.Entries[i].Address, U64(entry));
            Assert.Equal(_map.Entries[i].Size, U64(entry + 8));
            Assert.Equal((uint)_map.Entries[i].Type, U32(entry + 16));
        }
        // The protected-mode code at 1 MiB.
        Assert.Equal(kernel.AsSpan(5 * 512).ToArray(), Read(0x10_0000, kernel.Length - 5 * 512));
    }

    [Fact]
    public void TheBootCpuEntersLongModeAt0x200WithRsiOnBootParams()
    {
        var boot = DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), null, "", _map, 0);
        X86Registers r = boot.Cpu.Registers;
        X86SpecialRegisters s = boot.Cpu.SpecialRegisters;
        Assert.Equal(0x10_0200UL, r.Rip);
        Assert.Equal(LowMemoryLayout.BootParamsAddress, r.Rsi);
        Assert.Equal(0UL, r.Rflags & (1 << 9)); // interrupts off
        Assert.True(s.IsLongMode64);
        Assert.Equal(0x8000_0001UL, s.Cr0 & 0x8000_0001); // PG and PE
        Assert.NotEqual(0UL, s.Cr4 & (1 << 5)); // PAE
        Assert.Equal(LowMemoryLayout.PageTablesAddress, s.Cr3);
        Assert.Equal((ushort)0x10, s.Cs.Selector); // __BOOT_CS
        Assert.Equal((ushort)0x18, s.Ds.Selector); // __BOOT_DS
        Assert.Equal((ushort)0x18, s.Ss.Selector);
        Assert.Equal(LowMemoryLayout.GdtAddress, s.Gdt.Base);
    }

    [Fact]
    public void TheGdtInMemoryHoldsTheSegmentsTheCpuStartsWith()
    {
        var boot = DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), null, "", _map, 0);
        boot.Load(_ram);
        // Flat 64-bit code (L=1, D=0, P, S, type 0xB, G) and flat data (D/B=1, type 3).
        Assert.Equal(0x00AF_9B00_0000_FFFFUL, U64(LowMemoryLayout.GdtAddress + 0x10));
        Assert.Equal(0x00CF_9300_0000_FFFFUL, U64(LowMemoryLayout.GdtAddress + 0x18));
        Assert.Equal(SegmentDescriptor.Encode(boot.Cpu.SpecialRegisters.Cs), U64(LowMemoryLayout.GdtAddress + 0x10));
    }

    [Fact]
    public void ThePageTablesIdentityMapTheFirstFourGiB()
    {
        var boot = DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), null, "", _map, 0);
        boot.Load(_ram);
        foreach (ulong address in new ulong[] { 0, 0x7000, 0x10_0200, 0x3FFF_FFFF, 0x4000_0000, 0xB000_1234, 0xFFFF_FFFF })
            Assert.Equal(address, Walk(boot.Cpu.SpecialRegisters.Cr3, address));
    }

    // A 4-level walk with 2 MiB pages, as the MMU does it (Intel SDM vol. 3A, 4.5).
    private ulong Walk(ulong cr3, ulong linear)
    {
        const ulong present = 1, large = 0x80, frame = 0x000F_FFFF_FFFF_F000;
        ulong pml4e = U64((cr3 & frame) + ((linear >> 39) & 0x1FF) * 8);
        Assert.True((pml4e & present) != 0);
        ulong pdpte = U64((pml4e & frame) + ((linear >> 30) & 0x1FF) * 8);
        Assert.True((pdpte & present) != 0);
        ulong pde = U64((pdpte & frame) + ((linear >> 21) & 0x1FF) * 8);
        Assert.True((pde & present) != 0 && (pde & large) != 0);
        return (pde & 0x000F_FFFF_FFE0_0000) | (linear & 0x1F_FFFF);
    }

    [Fact]
    public void AnInitrdTooBigForMemoryIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), new byte[250 << 20], "", _map, 0));
        Assert.Equal(BootInput.Initrd, e.Input);
        Assert.Contains("does not fit in guest RAM", e.Message);
        Assert.Contains("250 MiB", e.Message);
    }

    [Fact]
    public void TheInitrdStaysBelowTheKernelsLimit()
    {
        byte[] kernel = SyntheticKernels.BzImage(initrdAddrMax: 0x7FF_FFFF); // 128 MiB
        var boot = DirectKernelBoot.Prepare(kernel, new byte[1 << 20], "", _map, 0);
        Assert.True(boot.InitrdAddress + boot.InitrdSize <= 0x800_0000);
        Assert.True(boot.InitrdAddress >= boot.KernelEnd);
        var e = Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(kernel, new byte[120 << 20], "", _map, 0));
        Assert.Contains("the kernel's initrd limit at 128 MiB", e.Message);
    }

    [Fact]
    public void AKernelWhoseDecompressionDoesNotFitIsRefused()
    {
        // init_size 64 MiB above the 16 MiB run address: 80 MiB of RAM needed.
        byte[] kernel = SyntheticKernels.BzImage(initSize: 64 << 20);
        var e = Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(kernel, null, "", TestMaps.Pc(64 << 20), 0));
        Assert.Equal(BootInput.Kernel, e.Input);
        Assert.Contains("80 MiB", e.Message);
        DirectKernelBoot.Prepare(kernel, null, "", TestMaps.Pc(80 << 20), 0);
    }

    [Fact]
    public void ACommandLineLongerThanTheKernelAcceptsIsRefused()
    {
        byte[] kernel = SyntheticKernels.BzImage(cmdlineSize: 255);
        DirectKernelBoot.Prepare(kernel, null, new string('x', 255), _map, 0);
        var e = Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(kernel, null, new string('x', 256), _map, 0));
        Assert.Equal(BootInput.CommandLine, e.Input);
        Assert.Contains("at most 255", e.Message);
        Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(kernel, null, "a\0b", _map, 0));
    }

    [Fact]
    public void AnEmptyInitrdIsRefused() =>
        Assert.Equal(BootInput.Initrd, Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), Array.Empty<byte>(), "", _map, 0)).Input);

    [Fact]
    public void LoadingAgainRestoresWhatTheGuestOverwrote()
    {
        byte[] initrd = { 1, 2, 3, 4, 5 };
        var boot = DirectKernelBoot.Prepare(SyntheticKernels.BzImage(), initrd, "quiet", _map, 0);
        boot.Load(_ram);
        byte[] zeroPage = Read(LowMemoryLayout.BootParamsAddress, 4096);
        // A guest reuses all of this memory.
        _ram.GetSpan(new GuestAddress(0), 0x10_0000).Fill(0xCC);
        _ram.GetSpan(new GuestAddress(boot.InitrdAddress), 5).Fill(0xCC);
        boot.Load(_ram);
        Assert.Equal(zeroPage, Read(LowMemoryLayout.BootParamsAddress, 4096));
        Assert.Equal(initrd, Read(boot.InitrdAddress, 5));
        Assert.Equal("quiet\0", Encoding.ASCII.GetString(Read(LowMemoryLayout.CommandLineAddress, 6)));
    }

    [Fact]
    public void FilesAreReadAtEachLoadAndAReplacedFileDoesNotChangeTheMachine()
    {
        string dir = Directory.CreateTempSubdirectory("emu-boot-").FullName;
        try
        {
            string kernelPath = Path.Combine(dir, "bzImage"), initrdPath = Path.Combine(dir, "initrd");
            File.WriteAllBytes(kernelPath, SyntheticKernels.BzImage());
            File.WriteAllBytes(initrdPath, new byte[] { 1, 2, 3 });
            using BootFile kernel = BootFile.Open(kernelPath);
            using BootFile initrd = BootFile.Open(initrdPath);
            var boot = DirectKernelBoot.Prepare(kernel, initrd, "", _map, 0);
            boot.Load(_ram);
            Assert.Equal(new byte[] { 1, 2, 3 }, Read(boot.InitrdAddress, 3));
            // A rebuilt initrd moved into place is a new file; the machine keeps the one it opened.
            string rebuilt = Path.Combine(dir, "initrd.new");
            File.WriteAllBytes(rebuilt, new byte[] { 7, 7, 7 });
            File.Move(rebuilt, initrdPath, overwrite: true);
            _ram.GetSpan(new GuestAddress(boot.InitrdAddress), 3).Clear();
            boot.Load(_ram);
            Assert.Equal(new byte[] { 1, 2, 3 }, Read(boot.InitrdAddress, 3));
            // Truncating the opened file itself is reported, not loaded half.
            File.WriteAllBytes(kernelPath, new byte[16]);
            Assert.Throws<IOException>(() => boot.Load(_ram));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void APvhKernelGetsStartInfoWithTheMapModuleAndRsdp()
    {
        Segment[] segments =
        {
            new(0x100_0000, Enumerable.Repeat((byte)0x90, 0x3000).ToArray(), 0x3000),
            new(0x100_4000, new byte[] { 1, 2, 3, 4 }, 0x2000),
        };
        byte[] initrd = { 9, 8, 7 };
        // Dirty the .bss: loading must clear it.
        _ram.GetSpan(new GuestAddress(0x100_4000), 0x2000).Fill(0xCC);
        var boot = DirectKernelBoot.Prepare(SyntheticKernels.Elf(segments, 0x100_0850), initrd, "console=hvc0", _map, rsdp: 0xE_0000);
        boot.Load(_ram);
        Assert.Equal(KernelImageFormat.PvhElf, boot.Format);

        const ulong si = LowMemoryLayout.PvhStartInfoAddress;
        Assert.Equal(0x336E_C578u, U32(si));
        Assert.Equal(1u, U32(si + 4));
        Assert.Equal(1u, U32(si + 12)); // nr_modules
        ulong modlist = U64(si + 16);
        Assert.Equal(LowMemoryLayout.CommandLineAddress, U64(si + 24));
        Assert.Equal(0xE_0000UL, U64(si + 32));
        ulong memmap = U64(si + 40);
        Assert.Equal((uint)_map.Entries.Count, U32(si + 48));
        Assert.Equal(boot.InitrdAddress, U64(modlist));
        Assert.Equal(3UL, U64(modlist + 8));
        Assert.True(boot.InitrdAddress >= 0x100_6000);
        Assert.Equal(initrd, Read(boot.InitrdAddress, 3));
        for (int i = 0; i < _map.Entries.Count; i++)
        {
            ulong entry = memmap + (ulong)i * 24;
            Assert.Equal(_map.Entries[i].Address, U64(entry));
            Assert.Equal(_map.Entries[i].Size, U64(entry + 8));
            Assert.Equal((uint)_map.Entries[i].Type, U32(entry + 16));
        }
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Read(0x100_4000, 4));
        Assert.All(Read(0x100_4004, 0x2000 - 4), b => Assert.Equal(0, b));
        Assert.Equal("console=hvc0\0", Encoding.ASCII.GetString(Read(LowMemoryLayout.CommandLineAddress, 13)));

        // 32-bit protected mode, no paging, EBX = start_info.
        X86SpecialRegisters s = boot.Cpu.SpecialRegisters;
        Assert.Equal(0x100_0850UL, boot.Cpu.Registers.Rip);
        Assert.Equal(si, boot.Cpu.Registers.Rbx);
        Assert.Equal(0x11UL, s.Cr0); // PE and the hard-wired ET
        Assert.Equal(0UL, s.Cr4);
        Assert.Equal(0UL, s.Efer);
        Assert.True(s.Cs.DefaultBig);
        Assert.False(s.Cs.Long);
        Assert.Equal(0xFFFF_FFFFu, s.Cs.Limit);
        Assert.Equal((byte)0xB, s.Tr.Type);
    }

    [Fact]
    public void PvhSegmentsOutsideRamOrOverlappingAreRefused()
    {
        Segment[] tooHigh = { new(0x1000_0000, new byte[16], 16) }; // 256 MiB: the end of this machine's RAM
        Assert.Contains("not in guest RAM", Assert.Throws<BootImageException>(() =>
            DirectKernelBoot.Prepare(SyntheticKernels.Elf(tooHigh, 0x1000_0000), null, "", _map, 0)).Message);
        Segment[] low = { new(0x8000, new byte[16], 16) };
        Assert.Contains("below 1 MiB", Assert.Throws<BootImageException>(() =>
            DirectKernelBoot.Prepare(SyntheticKernels.Elf(low, 0x8000), null, "", _map, 0)).Message);
        Segment[] overlapping = { new(0x100_0000, new byte[0x2000], 0x2000), new(0x100_1000, new byte[16], 16) };
        Assert.Contains("overlap", Assert.Throws<BootImageException>(() =>
            DirectKernelBoot.Prepare(SyntheticKernels.Elf(overlapping, 0x100_0000), null, "", _map, 0)).Message);
        Segment[] one = { new(0x100_0000, new byte[16], 16) };
        Assert.Contains("not inside the kernel", Assert.Throws<BootImageException>(() =>
            DirectKernelBoot.Prepare(SyntheticKernels.Elf(one, 0x200_0000), null, "", _map, 0)).Message);
    }

    [Fact]
    public void TheHostsKernelPlansWithTheRamItNeeds()
    {
        string? path = Directory.Exists("/boot") ? Directory.GetFiles("/boot", "vmlinuz-*").FirstOrDefault() : null;
        if (path == null)
            return; // no kernel on this host: the synthetic images cover the logic
        byte[] kernel = File.ReadAllBytes(path);
        var boot = DirectKernelBoot.Prepare(kernel, new byte[4 << 20], "console=ttyS0", TestMaps.Pc(1UL << 30), 0);
        Assert.Equal(KernelImageFormat.BzImage, boot.Format);
        LinuxSetupHeader h = BzImage.Parse(kernel).Header;
        Assert.True(boot.KernelEnd >= h.PrefAddress + h.InitSize);
        Assert.True(boot.InitrdAddress >= boot.KernelEnd);
        var e = Assert.Throws<BootImageException>(() => DirectKernelBoot.Prepare(kernel, null, "", TestMaps.Pc(32 << 20), 0));
        Assert.Contains("give the machine more memory", e.Message);
    }
}
