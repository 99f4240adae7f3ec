using Emu.Core.Interrupts;

namespace Emu.Devices.Irq;

/// <summary>A GSI from 24 up that delivers an MSI message (what a KVM routing table entry of type MSI is).</summary>
internal sealed class MsiRoute : IMsiRoute
{
    private readonly UserspaceInterruptController _owner;
    private readonly object _lock = new();
    private MsiMessage _message;

    public MsiRoute(UserspaceInterruptController owner, int gsi, MsiMessage message)
    {
        _owner = owner;
        Gsi = gsi;
        _message = message;
    }

    public int Gsi { get; }

    public MsiMessage Message
    {
        get
        {
            lock (_lock)
                return _message;
        }
    }

    public void Update(MsiMessage message)
    {
        lock (_lock)
            _message = message;
    }

    public void Deliver(ApicBus bus) => bus.DeliverMsi(Message);

    public void Dispose() => _owner.RemoveRoute(this);
}
