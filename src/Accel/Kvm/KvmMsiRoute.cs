using Emu.Core.Interrupts;

namespace Emu.Accel.Kvm;

/// <summary>A GSI of the routing table that delivers an MSI message.</summary>
internal sealed class KvmMsiRoute : IMsiRoute
{
    private readonly KvmInterruptController _owner;

    public KvmMsiRoute(KvmInterruptController owner, int gsi, MsiMessage message)
    {
        _owner = owner;
        Gsi = gsi;
        Message = message;
    }

    public int Gsi { get; }

    public MsiMessage Message { get; private set; }

    /// <summary>Where the route's entry is in the routing table (the controller's lock).</summary>
    internal int Index { get; set; }

    public void Update(MsiMessage message)
    {
        if (message == Message)
            return;
        _owner.UpdateRoute(this, message);
        Message = message;
    }

    public void Dispose() => _owner.RemoveRoute(this);
}
