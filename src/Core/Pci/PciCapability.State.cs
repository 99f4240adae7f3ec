using Emu.Core.Migration;

namespace Emu.Core.Pci;

// What a capability keeps outside config space (the MSI-X table and PBA live
// in a BAR) and what it derives from its registers (interrupt routes).
public abstract partial class PciCapability
{
    /// <summary>Writes state kept outside config space, with names under <paramref name="prefix"/>.</summary>
    protected internal virtual void SaveState(StateWriter state, string prefix)
    {
    }

    /// <summary>Loads what <see cref="SaveState"/> wrote (config space is already loaded).</summary>
    protected internal virtual void LoadState(StateReader state, string prefix)
    {
    }

    /// <summary>After the load: derives routes and masks from the loaded registers, without interrupting the guest.</summary>
    protected internal virtual void PostLoad(PciConfigSpace config)
    {
    }
}
