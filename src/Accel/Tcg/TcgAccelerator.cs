using Iced.Intel;
using Emu.Core.Cpu;

namespace Emu.Accel.Tcg;

/// <summary>
/// The software accelerator ("-accel tcg", QEMU's name): an x86-64 CPU
/// interpreted in the VMM, so guests run on hosts without KVM.
/// </summary>
public sealed class TcgAccelerator : IAccelerator
{
    /// <summary>The CPU models -cpu accepts with this accelerator (all the same implemented feature set).</summary>
    public static readonly IReadOnlyList<string> CpuModels = ["max", "qemu64"];

    public string Name => "tcg";

    /// <summary>Without -cpu: every feature the software CPU implements.</summary>
    public string DefaultCpuModel => CpuModels[0];

    /// <summary>One vCPU per APIC ID the q35 MADT can describe.</summary>
    public int MaxVcpus => 255;

    public int RecommendedVcpus => Environment.ProcessorCount;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => new TcgVirtualMachine(options, MaxVcpus);

    /// <summary>
    /// Builds the tables every software vCPU needs (Iced's decoder tables, the
    /// handler table by mnemonic) on a thread of its own, so that the work
    /// (several milliseconds) overlaps the rest of start-up instead of delaying
    /// the first vCPU. A vCPU created before it is done waits for the class
    /// constructors as it would have run them itself.
    /// </summary>
    public static void PrewarmInBackground()
    {
        var thread = new Thread(static () =>
        {
            Decoder.Create(64, new ByteArrayCodeReader(new byte[15]), DecoderOptions.None).Decode();
            HandlerTable.Prewarm();
        })
        { IsBackground = true, Name = "tcg-prewarm" };
        thread.Start();
    }

    public void Dispose()
    {
    }
}
