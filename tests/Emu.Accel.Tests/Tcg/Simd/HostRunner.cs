using System.Diagnostics;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// Runs snippets on the host CPU: a small C program (compiled once with gcc)
/// copies each snippet into executable memory and calls it with RDI at the
/// state block. An exception the snippet raises arrives as a signal; the
/// handler records the hardware vector (the trap number) and the x87/SSE
/// state at the fault from the signal frame, as the guest's IDT stubs do.
/// </summary>
internal static class HostRunner
{
    private const string Source = """
        #define _GNU_SOURCE
        #include <setjmp.h>
        #include <signal.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <ucontext.h>

        static sigjmp_buf jump;
        static volatile int trapno;
        static unsigned char fault_fx[512];

        static void handler(int sig, siginfo_t *info, void *context)
        {
            ucontext_t *uc = context;
            (void)sig; (void)info;
            trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
            if (uc->uc_mcontext.fpregs)
                memcpy(fault_fx, uc->uc_mcontext.fpregs, 512);
            siglongjmp(jump, 1);
        }

        static unsigned char state[1024] __attribute__((aligned(64)));

        int main(int argc, char **argv)
        {
            if (argc != 3)
                return 2;
            FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
            if (!in || !out)
                return 3;
            unsigned char *code = mmap(NULL, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (code == MAP_FAILED)
                return 4;
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = handler;
            sa.sa_flags = SA_SIGINFO;
            sigaction(SIGFPE, &sa, NULL);
            sigaction(SIGSEGV, &sa, NULL);
            sigaction(SIGILL, &sa, NULL);
            sigaction(SIGBUS, &sa, NULL);
            uint32_t length;
            while (fread(&length, 4, 1, in) == 1) {
                if (length > 65536 || fread(code, 1, length, in) != length || fread(state, 1, sizeof state, in) != sizeof state)
                    return 5;
                trapno = -1;
                if (sigsetjmp(jump, 1) == 0)
                    ((void (*)(void *))code)(state);
                else
                    memcpy(state, fault_fx, 512);
                unsigned int mxcsr = 0x1F80;
                __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
                int32_t vector = trapno;
                fwrite(&vector, 4, 1, out);
                fwrite(state, 1, sizeof state, out);
            }
            fclose(out);
            return 0;
        }
        """;

    private static readonly Lazy<string> s_binary = new(Compile);

    private static string Compile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "emu-simd-host-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string source = Path.Combine(dir, "runner.c");
        string binary = Path.Combine(dir, "runner");
        File.WriteAllText(source, Source);
        Exec("gcc", $"-O1 -Wall -Werror -o {binary} {source}");
        return binary;
    }

    public static void Run(IReadOnlyList<SimdCase> cases)
    {
        string binary = s_binary.Value;
        string dir = Path.GetDirectoryName(binary)!;
        string input = Path.Combine(dir, $"in-{Guid.NewGuid():N}.bin"), output = Path.Combine(dir, $"out-{Guid.NewGuid():N}.bin");
        try
        {
            using (var w = new BinaryWriter(File.Create(input)))
            {
                foreach (SimdCase c in cases)
                {
                    byte[] code = Snippet.Build(c.Body, host: true);
                    w.Write((uint)code.Length);
                    w.Write(code);
                    w.Write(c.Input);
                }
            }
            Exec(binary, $"{input} {output}");
            using var r = new BinaryReader(File.OpenRead(output));
            foreach (SimdCase c in cases)
            {
                c.HostVector = r.ReadInt32();
                c.HostState = r.ReadBytes(Snippet.Size);
            }
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    private static string Exec(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {stderr}");
        return stdout;
    }
}
