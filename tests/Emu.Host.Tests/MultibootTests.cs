using System.Diagnostics;
using Emu.Lab;

namespace Emu.Host.Tests;

// -kernel with a Multiboot (v1) kernel, as QEMU loads them: an ELF32 image, and a flat
// binary whose header gives the load addresses (the "a.out kludge"). The test kernel
// checks the magic in EAX, prints the command line and the module's name from the
// information structure at EBX, and reports through isa-debug-exit.
public sealed class MultibootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-multiboot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Kernel = """
                .code32
                .section .text
                .globl _start
                .align 4
        header:
                .long 0x1BADB002
                .long FLAGS
                .long -(0x1BADB002 + FLAGS)
                .long header, 0x100000, 0, 0, _start
        _start:
                cmpl $0x2BADB002, %eax
                jne fail
                movl 16(%ebx), %esi
                call puts
                movl $nl, %esi
                call puts
                cmpl $1, 20(%ebx)
                jne fail
                movl 24(%ebx), %edi
                movl 8(%edi), %esi
                call puts
                movl $nl, %esi
                call puts
                movl 0(%edi), %eax
                cmpb $'M', (%eax)
                jne fail
                movb $0x21, %al
                outb %al, $0xf4
                hlt
        fail:
                movb $0x33, %al
                outb %al, $0xf4
                hlt
        puts:
                lodsb
                testb %al, %al
                jz 1f
                movw $0x3f8, %dx
                outb %al, %dx
                jmp puts
        1:      ret
        nl:     .asciz "\n"
        """;

    private string Build(bool flat)
    {
        string source = Path.Combine(_dir, "kernel.S");
        // Flag 1: memory information; flag 16: the header carries the load addresses.
        File.WriteAllText(source, Kernel.Replace("FLAGS", flat ? "0x10003" : "0x00003"));
        string obj = Path.Combine(_dir, "kernel.o"), elf = Path.Combine(_dir, "kernel.elf"), bin = Path.Combine(_dir, "kernel.bin");
        Tool("as", "--32", source, "-o", obj);
        Tool("ld", "-m", "elf_i386", "-N", "-Ttext", "0x100000", "-o", elf, obj);
        if (!flat)
            return elf;
        Tool("objcopy", "-O", "binary", elf, bin);
        return bin;
    }

    private static void Tool(string name, params string[] args)
    {
        var psi = new ProcessStartInfo(name) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        string errors = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{name} {string.Join(' ', args)}: {errors}");
    }

    [AccelFact]
    public void An_elf_multiboot_kernel_gets_its_command_line_and_module() => Boot(flat: false);

    [AccelFact]
    public void A_flat_multiboot_kernel_loads_where_its_header_says() => Boot(flat: true);

    private void Boot(bool flat)
    {
        string kernel = Build(flat);
        string module = Path.Combine(_dir, "module.bin");
        File.WriteAllText(module, "MODULE");
        EmuProcess run = EmuProcess.Run("-m", "64", "-kernel", kernel, "-append", "hello multiboot", "-initrd", module,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4");
        Assert.True(run.ExitCode == (0x21 << 1 | 1), $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Equal(["hello multiboot", module], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_multiboot_kernel_that_wants_a_video_mode_is_refused()
    {
        string source = Path.Combine(_dir, "video.S");
        File.WriteAllText(source, ".long 0x1BADB002, 0x4, -(0x1BADB002 + 4)\n.fill 64, 1, 0\n");
        string obj = Path.Combine(_dir, "video.o"), bin = Path.Combine(_dir, "video.bin");
        Tool("as", "--32", source, "-o", obj);
        Tool("objcopy", "-O", "binary", obj, bin);
        EmuProcess run = EmuProcess.Run("-kernel", bin);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"emu: -kernel {bin}: the Multiboot kernel needs a graphics mode (header flag 2); emu is headless", Assert.Single(run.ErrorLines));
    }
}
