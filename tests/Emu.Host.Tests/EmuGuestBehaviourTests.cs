using System.Diagnostics;
using Emu.Lab;

namespace Emu.Host.Tests;

public sealed class EmuGuestBehaviourTests
{
    private static EmuProcess RunRom(IEnumerable<byte> code, params string[] extra)
    {
        string rom = TestRoms.Write(code.ToArray());
        try
        {
            return EmuProcess.Run(new[] { "-bios", rom, "-device", "isa-debug-exit,iobase=0xf4,iosize=4" }.Concat(extra).ToArray());
        }
        finally
        {
            File.Delete(rom);
        }
    }

    [AccelFact]
    public void GarbageOnTheUartAndUnassignedPortsDoesNotHurtTheVmm()
    {
        var rng = new Random(1234);
        var code = new List<byte>();
        // Random values into every UART register, with and without DLAB, reads included.
        for (int i = 0; i < 200; i++)
        {
            ushort port = (ushort)(0x3F8 + rng.Next(8));
            code.AddRange(TestRoms.OutDx(port, (byte)rng.Next(256)));
            code.AddRange(TestRoms.InDx((ushort)(0x3F8 + rng.Next(8))));
        }
        // Ports nothing decodes, and the fw_cfg selector with junk.
        foreach (ushort port in new ushort[] { 0x80, 0x200, 0x511, 0x510, 0x1234, 0xFFFF, 0xCFC, 0xCFF })
        {
            code.AddRange(TestRoms.OutDx(port, 0xA5));
            code.AddRange(TestRoms.InDx(port));
        }
        code.AddRange(TestRoms.DebugExit(0x10));
        EmuProcess run = RunRom(code);
        Assert.Equal((0x10 << 1) | 1, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }

    [KvmFact]
    public void AnInstructionTheAcceleratorCannotRunShowsTheRegistersAndDisassembly()
    {
        // ud2 at CPL0 with a valid real-mode vector 6 (#UD). This machine's KVM
        // (PVM, shared/LAB.md) emulates CPL0 code and its emulator gives up on
        // ud2 in real mode: a KVM internal error, and the dump must mark the ud2
        // and show the nops before it. A hardware KVM delivers #UD instead, and
        // the handler reports through isa-debug-exit.
        byte[] code =
        {
            0x31, 0xC0,                         // xor ax, ax
            0x8E, 0xD8,                         // mov ds, ax
            0xC7, 0x06, 0x18, 0x00, 0x40, 0xF0, // mov word [0x18], 0xF040  (vector 6 offset)
            0xC7, 0x06, 0x1A, 0x00, 0x00, 0xF0, // mov word [0x1A], 0xF000  (vector 6 segment)
            0x90, 0x90,                         // nop; nop
            0x0F, 0x0B,                         // ud2
            0xF4,                               // hlt
        };
        byte[] rom = new byte[0x100];
        code.CopyTo(rom, 0);
        new byte[] { 0xB0, 0x10, 0xE6, 0xF4, 0xF4 }.CopyTo(rom, 0x40); // handler: mov al, 0x10; out 0xf4, al; hlt
        EmuProcess run = RunRom(rom);
        if (!Directory.Exists("/sys/module/kvm_pvm"))
        {
            Assert.Equal((0x10 << 1) | 1, run.ExitCode);
            return;
        }
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("internal error", run.Stderr);
        Assert.Contains("RIP=", run.Stderr);
        Assert.Contains("real mode", run.Stderr);
        string marked = run.Stderr.Split('\n').Single(l => l.StartsWith("=> ", StringComparison.Ordinal));
        Assert.Contains("ud2", marked);
        Assert.Contains("nop", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [AccelFact]
    public void SigtermStopsARunningGuestCleanly()
    {
        string pidFile = Path.Combine(Path.GetTempPath(), $"emu-{Guid.NewGuid():N}.pid");
        using Process process = EmuProcess.Start("-pidfile", pidFile, "-fw_cfg", "name=opt/emu/mode,string=pio:4000000000");
        var stdout = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        // The pid file is written once the machine is built, just before the guest starts
        // (the pio mode prints nothing until it is done); then the guest gets a moment to run.
        Assert.True(SpinWait.SpinUntil(() => File.Exists(pidFile) || process.HasExited, TimeSpan.FromSeconds(30)), "emu wrote no pid file");
        Thread.Sleep(500);
        Assert.False(process.HasExited, "the guest ended before it could be signalled");
        Emu.Core.Posix.LibC.syscall(62 /* kill */, process.Id, 15 /* SIGTERM */, 0);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "emu did not stop on SIGTERM");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("terminating on signal", process.StandardError.ReadToEnd());
    }

    [AccelFact]
    public void AGuestResetRestartsTheFirmware()
    {
        // The firmware's reset register write (0xCF9 = 6) reboots; -no-reboot turns that into an exit 0.
        byte[] code = TestRoms.OutDx(0xCF9, 0x06).Concat(new byte[] { 0xF4 }).ToArray();
        EmuProcess run = RunRom(code, "-no-reboot");
        Assert.Equal(0, run.ExitCode);
    }
}
