using System.Text;
using Emu.Core.Memory;

namespace Emu.Core.Boot;

/// <summary>
/// A direct kernel boot, planned once when the machine is built and loaded
/// into guest RAM at every reset: where the kernel, initrd, command line
/// and boot structures go (see <see cref="LowMemoryLayout"/>), and the boot
/// CPU's state at the kernel's entry. Every size and address taken from the
/// files is checked against the memory map here, so a kernel or initrd that
/// cannot work is refused before the machine starts, with one line saying why.
/// </summary>
public sealed class DirectKernelBoot
{
    private const ulong PageSize = 0x1000;
    private const ulong FourGiB = 0x1_0000_0000;

    private readonly List<BootBlob> _blobs;

    private DirectKernelBoot(KernelImageFormat format, List<BootBlob> blobs, BootCpuState cpu, ulong kernelEnd, ulong initrdAddress, ulong initrdSize)
    {
        Format = format;
        _blobs = blobs;
        Cpu = cpu;
        KernelEnd = kernelEnd;
        InitrdAddress = initrdAddress;
        InitrdSize = initrdSize;
    }

    public KernelImageFormat Format { get; }

    /// <summary>What goes where in guest RAM, in load order.</summary>
    public IReadOnlyList<BootBlob> Blobs => _blobs;

    /// <summary>The boot CPU at the kernel's entry point.</summary>
    public BootCpuState Cpu { get; }

    /// <summary>The end of the memory the kernel occupies while it sets itself up (its decompression buffer for a bzImage).</summary>
    public ulong KernelEnd { get; }

    public ulong InitrdAddress { get; }

    public ulong InitrdSize { get; }

    /// <summary>
    /// Plans the boot of <paramref name="kernel"/> (a bzImage or an ELF with a
    /// PVH note) with an optional initrd and a command line, on a machine with
    /// memory map <paramref name="map"/> and its ACPI RSDP at
    /// <paramref name="rsdp"/> (0 when there are no tables).
    /// </summary>
    public static DirectKernelBoot Prepare(BootFile kernel, BootFile? initrd, string commandLine, E820Map map, ulong rsdp)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(map);
        if (initrd is { Length: 0 })
            throw new BootImageException(BootInput.Initrd, "the initrd is empty");
        // A vmlinux with a PVH note boots through it; any other image with a Multiboot header as Multiboot;
        // the rest must be a bzImage (or gets the PVH parser's reason why not).
        bool elf = ElfKernel.HasElfMagic(kernel);
        if ((elf ? ElfKernel.TryParse(kernel) : null) is { } pvh)
            return PreparePvh(pvh, initrd, commandLine, map, rsdp);
        if (MultibootKernel.HasHeader(kernel))
            return PrepareMultiboot(MultibootKernel.Parse(kernel), initrd, commandLine, map);
        return elf
            ? PreparePvh(ElfKernel.Parse(kernel), initrd, commandLine, map, rsdp)
            : PrepareBzImage(BzImage.Parse(kernel), initrd, commandLine, map, rsdp);
    }

    public static DirectKernelBoot Prepare(byte[] kernel, byte[]? initrd, string commandLine, E820Map map, ulong rsdp) =>
        Prepare(BootFile.FromBytes(kernel, "kernel"), initrd != null ? BootFile.FromBytes(initrd, "initrd") : null, commandLine, map, rsdp);

    /// <summary>
    /// Reads everything into guest RAM (again, after a reset: RAM keeps what
    /// the last boot left there). Files go straight from the page cache into
    /// guest memory.
    /// </summary>
    public void Load(GuestMemory ram)
    {
        const int Chunk = 1 << 30;
        foreach (BootBlob blob in _blobs)
        {
            ulong at = blob.Address;
            for (long done = 0; done < blob.Length;)
            {
                int n = (int)Math.Min(blob.Length - done, Chunk);
                blob.Source.Read(blob.SourceOffset + done, ram.GetSpan(new GuestAddress(at), n));
                ram.MarkDirty(new GuestAddress(at), (ulong)n);
                done += n;
                at += (ulong)n;
            }
            for (ulong remaining = blob.ZeroFill; remaining > 0;)
            {
                int n = (int)Math.Min(remaining, Chunk);
                ram.GetSpan(new GuestAddress(at), n).Clear();
                ram.MarkDirty(new GuestAddress(at), (ulong)n);
                at += (ulong)n;
                remaining -= (ulong)n;
            }
        }
    }

    private static DirectKernelBoot PrepareBzImage(BzImage image, BootFile? initrd, string commandLine, E820Map map, ulong rsdp)
    {
        LinuxSetupHeader h = image.Header;
        byte[] cmdline = CommandLineBytes(commandLine, Math.Min(h.CmdlineSize, (uint)LowMemoryLayout.CommandLineMax - 1));

        // The protected-mode code goes to 1 MiB. The decompressor then works in
        // a buffer of init_size bytes at the kernel's run address: the load
        // address rounded up to kernel_alignment but at least pref_address
        // (LOAD_PHYSICAL_ADDR) for a relocatable kernel, pref_address for one
        // that is not. All of it must be RAM.
        ulong load = LowMemoryLayout.HighMemoryStart;
        ulong kernelSize = (ulong)image.KernelLength;
        ulong runAddress = h.Relocatable ? Math.Max(AlignUp(load, h.KernelAlignment), h.PrefAddress) : h.PrefAddress;
        if (runAddress < load || runAddress > FourGiB)
            throw new BootImageException(BootInput.Kernel, $"kernel preferred address 0x{h.PrefAddress:x} is not usable: it must lie between 1 MiB and 4 GiB");
        ulong kernelEnd = Math.Max(load + kernelSize, runAddress + h.InitSize);
        if (!map.IsRam(load, kernelEnd - load))
            throw new BootImageException(BootInput.Kernel, $"the kernel needs RAM from 1 MiB to {Mib(kernelEnd)} MiB to decompress itself; give the machine more memory (-m)");

        ulong initrdAddress = 0, initrdSize = 0;
        if (initrd != null)
        {
            initrdSize = (ulong)initrd.Length;
            initrdAddress = PlaceInitrd(map, initrdSize, kernelEnd, Math.Min((ulong)h.InitrdAddrMax + 1, FourGiB));
        }

        byte[] bootParams = BootParams.Build(image, map, LowMemoryLayout.CommandLineAddress, initrdAddress, initrdSize, rsdp);
        BootCpuState cpu = BootCpuState.Linux64(load + LinuxSetupHeader.Entry64Offset, LowMemoryLayout.BootParamsAddress,
            LowMemoryLayout.PageTablesAddress, LowMemoryLayout.GdtAddress, LowMemoryLayout.StackTop);
        var blobs = new List<BootBlob>
        {
            new("GDT", LowMemoryLayout.GdtAddress, cpu.Gdt),
            new("boot_params", LowMemoryLayout.BootParamsAddress, bootParams),
            new("page tables", LowMemoryLayout.PageTablesAddress, IdentityPageTables.Build(LowMemoryLayout.PageTablesAddress)),
            new("command line", LowMemoryLayout.CommandLineAddress, cmdline),
            new("kernel", load, image.File, image.KernelOffset, image.KernelLength),
        };
        if (initrd != null)
            blobs.Add(new BootBlob("initrd", initrdAddress, initrd, 0, initrd.Length));
        CheckInRam(blobs, map);
        return new DirectKernelBoot(KernelImageFormat.BzImage, blobs, cpu, kernelEnd, initrdAddress, initrdSize);
    }

    private static DirectKernelBoot PreparePvh(ElfKernel elf, BootFile? initrd, string commandLine, E820Map map, ulong rsdp)
    {
        byte[] cmdline = CommandLineBytes(commandLine, (uint)LowMemoryLayout.CommandLineMax - 1);
        var blobs = new List<BootBlob>();
        foreach (ElfSegment segment in elf.Segments)
        {
            if (segment.PhysicalAddress < LowMemoryLayout.HighMemoryStart)
                throw new BootImageException(BootInput.Kernel, $"ELF segment at 0x{segment.PhysicalAddress:x} lies below 1 MiB, where the boot structures are");
            if (segment.End > FourGiB || !map.IsRam(segment.PhysicalAddress, segment.MemorySize))
                throw new BootImageException(BootInput.Kernel, $"ELF segment at 0x{segment.PhysicalAddress:x}-0x{segment.End - 1:x} is not in guest RAM; give the machine more memory (-m)");
            blobs.Add(new BootBlob("kernel segment", segment.PhysicalAddress, elf.File, (long)segment.FileOffset, (long)segment.FileSize, segment.MemorySize - segment.FileSize));
        }
        for (int i = 0; i < blobs.Count; i++)
        {
            for (int j = i + 1; j < blobs.Count; j++)
            {
                if (blobs[i].Address < blobs[j].End && blobs[j].Address < blobs[i].End)
                    throw new BootImageException(BootInput.Kernel, $"ELF segments at 0x{blobs[i].Address:x} and 0x{blobs[j].Address:x} overlap");
            }
        }
        if (!elf.Segments.Any(s => elf.PvhEntry >= s.PhysicalAddress && elf.PvhEntry < s.PhysicalAddress + s.FileSize))
            throw new BootImageException(BootInput.Kernel, $"PVH entry point 0x{elf.PvhEntry:x} is not inside the kernel's loaded code");

        ulong kernelEnd = elf.End;
        ulong initrdAddress = 0, initrdSize = 0;
        if (initrd != null)
        {
            initrdSize = (ulong)initrd.Length;
            initrdAddress = PlaceInitrd(map, initrdSize, kernelEnd, FourGiB);
        }
        if (map.Entries.Count > PvhStartInfo.MaxMemoryMapEntries)
            throw new InvalidOperationException($"the memory map has {map.Entries.Count} entries; PVH boot info holds {PvhStartInfo.MaxMemoryMapEntries}");
        byte[] startInfo = PvhStartInfo.Build(map, LowMemoryLayout.CommandLineAddress, initrdAddress, initrdSize, rsdp);
        BootCpuState cpu = BootCpuState.Pvh32(elf.PvhEntry, (uint)LowMemoryLayout.PvhStartInfoAddress, LowMemoryLayout.GdtAddress, LowMemoryLayout.StackTop);
        blobs.InsertRange(0, new BootBlob[]
        {
            new("GDT", LowMemoryLayout.GdtAddress, cpu.Gdt),
            new("hvm_start_info", LowMemoryLayout.PvhStartInfoAddress, startInfo),
            new("command line", LowMemoryLayout.CommandLineAddress, cmdline),
        });
        if (initrd != null)
            blobs.Add(new BootBlob("initrd", initrdAddress, initrd, 0, initrd.Length));
        CheckInRam(blobs, map);
        return new DirectKernelBoot(KernelImageFormat.PvhElf, blobs, cpu, kernelEnd, initrdAddress, initrdSize);
    }

    // Where the Multiboot loader's structures go below 1 MiB (the PVH area: one
    // boot protocol at a time): the information structure, the module list,
    // the loader's name, the memory map; the strings after the command line.
    private const ulong MultibootInfoAddress = LowMemoryLayout.PvhStartInfoAddress;
    private const ulong MultibootModulesAddress = MultibootInfoAddress + 0x80;
    private const ulong MultibootLoaderNameAddress = MultibootInfoAddress + 0xA0;
    private const ulong MultibootMemoryMapAddress = MultibootInfoAddress + 0x100;
    private static readonly byte[] s_loaderName = "emu\0"u8.ToArray();

    private static DirectKernelBoot PrepareMultiboot(MultibootKernel kernel, BootFile? initrd, string commandLine, E820Map map)
    {
        byte[] cmdline = CommandLineBytes(commandLine, (uint)LowMemoryLayout.CommandLineMax / 2);
        var blobs = new List<BootBlob>();
        foreach (ElfSegment segment in kernel.Segments)
        {
            if (segment.PhysicalAddress < LowMemoryLayout.HighMemoryStart)
                throw new BootImageException(BootInput.Kernel, $"Multiboot segment at 0x{segment.PhysicalAddress:x} lies below 1 MiB, where the boot structures are");
            if (segment.End > FourGiB || !map.IsRam(segment.PhysicalAddress, segment.MemorySize))
                throw new BootImageException(BootInput.Kernel, $"Multiboot segment at 0x{segment.PhysicalAddress:x}-0x{segment.End - 1:x} is not in guest RAM; give the machine more memory (-m)");
            blobs.Add(new BootBlob("kernel segment", segment.PhysicalAddress, kernel.File, (long)segment.FileOffset, (long)segment.FileSize, segment.MemorySize - segment.FileSize));
        }
        byte[] memoryMap = MultibootInfo.BuildMemoryMap(map);
        if (MultibootMemoryMapAddress + (ulong)memoryMap.Length > LowMemoryLayout.PvhMemoryMapEnd)
            throw new InvalidOperationException($"the memory map has {map.Entries.Count} entries, too many for the Multiboot area");

        ulong kernelEnd = kernel.End;
        int moduleCount = 0;
        ulong moduleAddress = 0;
        if (initrd != null)
        {
            // The module (the -initrd file) goes page-aligned after the kernel; its string is its file name.
            moduleAddress = AlignUp(kernelEnd, PageSize);
            ulong moduleEnd = moduleAddress + (ulong)initrd.Length;
            if (moduleEnd > FourGiB || !map.IsRam(moduleAddress, (ulong)initrd.Length))
                throw new BootImageException(BootInput.Initrd, $"the module ({Mib((ulong)initrd.Length)} MiB) does not fit in guest RAM after the kernel; give the machine more memory (-m)");
            byte[] name = CommandLineBytes(initrd.Name, (uint)LowMemoryLayout.CommandLineMax / 2 - 1);
            ulong nameAddress = LowMemoryLayout.CommandLineAddress + (ulong)cmdline.Length;
            blobs.Add(new BootBlob("module name", nameAddress, name));
            blobs.Add(new BootBlob("module list", MultibootModulesAddress, MultibootInfo.BuildModule((uint)moduleAddress, (uint)moduleEnd, (uint)nameAddress)));
            blobs.Add(new BootBlob("initrd", moduleAddress, initrd, 0, initrd.Length));
            moduleCount = 1;
        }
        byte[] info = MultibootInfo.Build(map, (uint)LowMemoryLayout.CommandLineAddress, (uint)MultibootLoaderNameAddress,
            (uint)MultibootModulesAddress, moduleCount, (uint)MultibootMemoryMapAddress);
        BootCpuState cpu = BootCpuState.Multiboot32(kernel.Entry, (uint)MultibootInfoAddress, LowMemoryLayout.GdtAddress, LowMemoryLayout.StackTop);
        blobs.InsertRange(0, new BootBlob[]
        {
            new("GDT", LowMemoryLayout.GdtAddress, cpu.Gdt),
            new("multiboot_info", MultibootInfoAddress, info),
            new("boot loader name", MultibootLoaderNameAddress, s_loaderName),
            new("memory map", MultibootMemoryMapAddress, memoryMap),
            new("command line", LowMemoryLayout.CommandLineAddress, cmdline),
        });
        CheckInRam(blobs, map);
        return new DirectKernelBoot(KernelImageFormat.Multiboot, blobs, cpu, kernelEnd, moduleAddress, initrd == null ? 0 : (ulong)initrd.Length);
    }

    // The initrd goes as high as it can in RAM below `limit`, page aligned,
    // above everything the kernel occupies while it starts (Linux's
    // decompressor and KASLR keep away from the initrd, but not the other way round).
    private static ulong PlaceInitrd(E820Map map, ulong size, ulong kernelEnd, ulong limit)
    {
        ulong best = 0;
        foreach (E820Entry e in map.Entries)
        {
            if (e.Type != E820Type.Ram || e.Address >= limit)
                continue;
            ulong top = Math.Min(e.End, limit);
            ulong floor = Math.Max(e.Address, kernelEnd);
            if (top < size || top - size < floor)
                continue;
            ulong address = (top - size) & ~(PageSize - 1);
            if (address >= floor)
                best = Math.Max(best, address);
        }
        if (best == 0)
        {
            ulong room = 0, ramTop = 0;
            foreach (E820Entry e in map.Entries)
            {
                if (e.Type != E820Type.Ram || e.Address >= FourGiB)
                    continue;
                ramTop = Math.Max(ramTop, Math.Min(e.End, FourGiB));
                if (e.Address < limit && Math.Min(e.End, limit) > Math.Max(e.Address, kernelEnd))
                    room = Math.Max(room, Math.Min(e.End, limit) - Math.Max(e.Address, kernelEnd));
            }
            string upTo = limit < ramTop ? $"the kernel's initrd limit at {Mib(limit)} MiB" : "the end of RAM below 4 GiB";
            throw new BootImageException(BootInput.Initrd,
                $"the initrd ({Mib(size)} MiB) does not fit in guest RAM: {room >> 20} MiB are free between the kernel (up to {Mib(kernelEnd)} MiB) and {upTo}; give the machine more memory (-m)");
        }
        return best;
    }

    private static byte[] CommandLineBytes(string commandLine, uint max)
    {
        byte[] text = Encoding.UTF8.GetBytes(commandLine);
        if (Array.IndexOf(text, (byte)0) >= 0)
            throw new BootImageException(BootInput.CommandLine, "the kernel command line contains a NUL character");
        if ((ulong)text.Length > max)
            throw new BootImageException(BootInput.CommandLine, $"the kernel command line is {text.Length} bytes; this kernel accepts at most {max}");
        byte[] withNul = new byte[text.Length + 1];
        text.CopyTo(withNul, 0);
        return withNul;
    }

    // A last check that the layout constants and the board's map agree.
    private static void CheckInRam(List<BootBlob> blobs, E820Map map)
    {
        foreach (BootBlob blob in blobs)
        {
            if (!map.IsRam(blob.Address, blob.End - blob.Address))
                throw new InvalidOperationException($"{blob.What} at 0x{blob.Address:x}-0x{blob.End - 1:x} is not in a RAM range of the memory map");
        }
    }

    private static ulong AlignUp(ulong value, ulong alignment) => alignment <= 1 ? value : (value + alignment - 1) & ~(alignment - 1);

    private static ulong Mib(ulong bytes) => (bytes + (1 << 20) - 1) >> 20;
}
