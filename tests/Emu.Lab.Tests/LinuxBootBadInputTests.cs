using System.Buffers.Binary;
using System.Diagnostics;

namespace Emu.Lab.Tests;

// Bad input to a direct kernel boot: one clear line on stderr and status 1, before any
// guest code runs (so these run at level 1).
public sealed class LinuxBootBadInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("emu-bad-kernel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string File(string name, byte[] content)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    string SparseFile(string name, long size)
    {
        string path = Path.Combine(_dir, name);
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
        f.SetLength(size);
        return path;
    }

    // The setup header fields a 64-bit loader reads (boot.rst), nothing else: enough for
    // emu to plan the boot, which is as far as these tests go.
    static byte[] BzImage(ushort version)
    {
        byte[] image = new byte[5 * 512 + 4096];
        Span<byte> s = image;
        s[0x1F1] = 4; // setup_sects
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x1FE..], 0xAA55);
        s[0x201] = 0x6A; // the header ends at 0x202 + 0x6A
        "HdrS"u8.CopyTo(s[0x202..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x206..], version);
        s[0x211] = 0x01; // LOADED_HIGH
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x22C..], 0x7FFF_FFFF); // initrd_addr_max
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x230..], 0x20_0000); // kernel_alignment
        s[0x234] = 1; // relocatable
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x236..], 0x01); // XLF_KERNEL_64
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x238..], 0x7FF); // cmdline_size
        BinaryPrimitives.WriteUInt64LittleEndian(s[0x258..], 0x100_0000); // pref_address
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x260..], 0x80_0000); // init_size
        return image;
    }

    static (int ExitCode, string[] ErrorLines, string Stderr) Emu(params string[] args)
    {
        var psi = new ProcessStartInfo(LinuxBootEmu.EmuExecutable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"emu {string.Join(' ', args)} did not exit; it should have refused its input");
        }
        return (p.ExitCode, stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.Result);
    }

    static void AssertOneLine(string expected, params string[] args)
    {
        var (exit, lines, stderr) = Emu(args);
        Assert.Equal(1, exit);
        string line = Assert.Single(lines);
        Assert.StartsWith("emu: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void AFileThatIsNeitherABzImageNorAnElfIsRefused()
    {
        string text = File("notes.txt", "just some text, not a kernel\n"u8.ToArray().Concat(new byte[8192]).ToArray());
        AssertOneLine($"-kernel {text}: not a Linux bzImage", "-kernel", text);
    }

    [Fact]
    public void AnElfWithoutAPvhEntryIsRefused()
    {
        // The test host's own program: an x86-64 ELF, but not a kernel.
        AssertOneLine("-kernel /bin/true: ELF", "-kernel", "/bin/true");
    }

    [Fact]
    public void ABootProtocolThatIsTooOldIsRefused()
    {
        string old = File("old-bzImage", BzImage(0x020A));
        AssertOneLine($"-kernel {old}: boot protocol 2.10 is too old", "-kernel", old);
    }

    [Fact]
    public void AnInitrdTooBigForMemoryIsRefused()
    {
        string kernel = File("bzImage", BzImage(0x020F));
        // 120 MiB fit in 128 MiB of RAM but not above the kernel's 24 MiB.
        string initrd = SparseFile("initrd.img", 120L << 20);
        AssertOneLine($"-initrd {initrd}: the initrd (120 MiB) does not fit in guest RAM", "-m", "128", "-kernel", kernel, "-initrd", initrd);
        string huge = SparseFile("huge.img", 200L << 20);
        AssertOneLine($"-initrd {huge}: 200 MiB does not fit in the machine's 128 MiB of RAM", "-m", "128", "-kernel", kernel, "-initrd", huge);
    }

    [Fact]
    public void BadCpuCountsAreRefusedWithAKernelToo()
    {
        string kernel = File("bzImage", BzImage(0x020F));
        AssertOneLine("-smp: at least one CPU is needed", "-smp", "0", "-kernel", kernel);
        AssertOneLine("exceeds the maximum the q35-2.0 machine supports (255)", "-smp", "100000", "-kernel", kernel);
    }

    [Fact]
    public void MisusedOptionsAreRefused()
    {
        string kernel = File("bzImage", BzImage(0x020F));
        AssertOneLine("-kernel cannot be combined with -bios", "-kernel", kernel, "-bios", kernel);
        AssertOneLine("-initrd needs -kernel", "-initrd", kernel);
        AssertOneLine("-append needs -kernel", "-append", "console=ttyS0");
        AssertOneLine($"-kernel {_dir}/missing: no such file", "-kernel", Path.Combine(_dir, "missing"));
        AssertOneLine("the kernel command line is 2048 bytes; this kernel accepts at most 2047", "-kernel", kernel, "-append", new string('x', 2048));
    }
}
