namespace Emu.Core.Interrupts;

/// <summary>A GSI that delivers an MSI message; change it when the guest reprograms the vector.</summary>
public interface IMsiRoute : IDisposable
{
    int Gsi { get; }

    MsiMessage Message { get; }

    void Update(MsiMessage message);
}
