namespace Emu.Core.Cpu;

/// <summary>Why a vCPU stopped running guest code.</summary>
public enum VcpuExitReason
{
    /// <summary>A port I/O instruction (in/out/ins/outs).</summary>
    Io,

    /// <summary>A memory access to an address with no RAM behind it, or a write to ROM.</summary>
    Mmio,

    /// <summary>The guest executed HLT and the accelerator leaves halting to the VMM.</summary>
    Halt,

    /// <summary>The guest triple-faulted (x86 shutdown).</summary>
    Shutdown,

    /// <summary>A platform event: reset, shutdown or crash requested through the accelerator.</summary>
    SystemEvent,

    /// <summary>The accelerator could not continue the guest (e.g. an instruction it cannot emulate).</summary>
    InternalError,

    /// <summary>Entering the guest failed (invalid vCPU state).</summary>
    FailEntry,

    /// <summary>Run returned early because the VMM asked the vCPU to stop (signal or immediate exit).</summary>
    Interrupted,

    /// <summary>Any exit this VMM does not handle.</summary>
    Unknown,
}
