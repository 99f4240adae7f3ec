using System.Diagnostics;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// The host CPU running test cases at CPL 3: native/runner.c, compiled with
/// gcc into a temporary directory once per fixture, fed a batch of cases
/// through a file and read back the same way (protocol in runner.c).
/// </summary>
public sealed class NativeOracle : IDisposable
{
    private const uint Magic = 0x44554D45; // "EMUD"
    private readonly string _directory;
    private readonly string _runner;

    public NativeOracle()
    {
        _directory = Path.Combine(Path.GetTempPath(), "emu-difftest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        string source = Path.Combine(AppContext.BaseDirectory, "Tcg", "Differential", "native", "runner.c");
        _runner = Path.Combine(_directory, "runner");
        Exec("gcc", ["-O2", "-Wall", "-Werror", "-o", _runner, source], TimeSpan.FromMinutes(1));
    }

    internal IReadOnlyList<CaseOutcome> Run(IReadOnlyList<TestCase> cases)
    {
        string input = Path.Combine(_directory, "cases-" + Guid.NewGuid().ToString("N"));
        string output = input + ".out";
        try
        {
            using (var writer = new BinaryWriter(new BufferedStream(File.Create(input), 1 << 20)))
            {
                writer.Write(Magic);
                writer.Write((uint)cases.Count);
                foreach (TestCase c in cases)
                {
                    writer.Write((uint)c.Code.Length);
                    writer.Write(c.Code);
                    foreach (ulong r in c.Registers)
                        writer.Write(r);
                    writer.Write(c.Rflags);
                    writer.Write(c.DataSeed);
                    writer.Write((uint)c.Patches.Count);
                    foreach (DataPatch p in c.Patches)
                    {
                        writer.Write((uint)p.Offset);
                        writer.Write((uint)p.Bytes.Length);
                        writer.Write(p.Bytes);
                    }
                }
            }
            Exec(_runner, [input, output], TimeSpan.FromMinutes(5));
            using var reader = new BinaryReader(new BufferedStream(File.OpenRead(output), 1 << 20));
            var outcomes = new List<CaseOutcome>(cases.Count);
            foreach (TestCase c in cases)
                outcomes.Add(ReadOutcome(reader, c));
            return outcomes;
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static CaseOutcome ReadOutcome(BinaryReader reader, TestCase c)
    {
        uint status = reader.ReadUInt32();
        int signal = reader.ReadInt32();
        _ = reader.ReadInt32(); // si_code
        ulong address = reader.ReadUInt64();
        ulong trapNumber = reader.ReadUInt64();
        ulong error = reader.ReadUInt64();
        ulong[] registers = new ulong[16];
        for (int i = 0; i < 16; i++)
            registers[i] = reader.ReadUInt64();
        ulong rip = reader.ReadUInt64();
        ulong rflags = reader.ReadUInt64();
        byte[] data = c.InitialData();
        uint runs = reader.ReadUInt32();
        for (uint r = 0; r < runs; r++)
        {
            int offset = (int)reader.ReadUInt32();
            int length = (int)reader.ReadUInt32();
            reader.ReadBytes(length).CopyTo(data, offset);
        }
        int vector = status == 1 ? CaseOutcome.NoException : (int)trapNumber;
        return new CaseOutcome
        {
            Vector = vector,
            ErrorCode = ExceptionNames.HasErrorCode(vector) ? error : 0,
            FaultAddress = vector == 14 ? address : 0,
            Registers = registers,
            Rip = rip,
            Rflags = rflags,
            Data = data,
            Signal = signal,
        };
    }

    private static void Exec(string file, string[] arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
