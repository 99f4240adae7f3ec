namespace Emu.Devices.Tests.Vfio;

/// <summary>Runs an action when disposed.</summary>
internal sealed class CallbackDisposable(Action action) : IDisposable
{
    public void Dispose() => action();
}
