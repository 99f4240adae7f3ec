namespace Emu.Core.Cpu;

/// <summary>
/// Whether a vCPU runs after reset. On a PC only the bootstrap processor does;
/// the application processors wait for the INIT-SIPI-SIPI sequence from the
/// OS, which the accelerator's local APIC handles.
/// </summary>
public enum VcpuPowerState
{
    Runnable,
    WaitingForStartup,
}
