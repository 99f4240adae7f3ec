using Emu.Core.Interrupts;

namespace Emu.Devices.Tests.Vfio;

/// <summary>An MSI route of <see cref="IrqfdInterruptController"/>: its GSI and current message.</summary>
internal sealed class RecordedMsiRoute(IrqfdInterruptController owner, int gsi, MsiMessage message) : IMsiRoute
{
    public int Gsi => gsi;

    public MsiMessage Message { get; private set; } = message;

    public void Update(MsiMessage m)
    {
        lock (owner.Lock)
        {
            Message = m;
            owner.RouteUpdates++;
        }
    }

    public void Dispose()
    {
        lock (owner.Lock)
            owner.Routes.Remove(gsi);
    }
}
