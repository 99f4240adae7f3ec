using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Core.Pci;

/// <summary>One vector of a <see cref="MsiVectorRouter"/>: allocated once, read by the firing path without a lock.</summary>
internal sealed class MsiVectorSlot
{
    public bool Active;
    public volatile bool Bound;
    public MsiMessage Message;
    public IMsiRoute? Route;
    public IDisposable? Binding;
    public volatile EventFd? Trigger;
    public bool OwnsTrigger;
}
