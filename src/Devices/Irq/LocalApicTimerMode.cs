namespace Emu.Devices.Irq;

/// <summary>LVT timer bits 18:17 (Intel SDM vol. 3A, 11.5.4); 3 is reserved and counts as one-shot here.</summary>
public enum LocalApicTimerMode
{
    OneShot = 0,
    Periodic = 1,
    TscDeadline = 2,
}
