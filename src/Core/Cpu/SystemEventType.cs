namespace Emu.Core.Cpu;

/// <summary>The kind of a <see cref="VcpuExitReason.SystemEvent"/>.</summary>
public enum SystemEventType
{
    Shutdown = 1,
    Reset = 2,
    Crash = 3,
}
