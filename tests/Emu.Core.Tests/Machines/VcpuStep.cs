namespace Emu.Core.Tests.Machines;

/// <summary>
/// One thing a <see cref="ScriptedVcpu"/> does in its next run: a 4-byte MMIO
/// write at <see cref="Address"/>, either as an exit the VMM dispatches (an
/// accelerator such as KVM) or made by the vCPU itself inside Run, after which
/// it keeps running guest code until kicked (the software CPU).
/// </summary>
internal sealed record VcpuStep(ulong Address, bool InsideRun);
