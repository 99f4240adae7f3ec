using Emu.Core.Migration;

namespace Emu.Devices.Irq;

/// <summary>
/// The sources that hold each GSI line (a device, a level irqfd's resampler,
/// the PIT) as one section: restored before the chips, without telling them,
/// so that the next change of a device's line is seen against the level it
/// had when the guest stopped.
/// </summary>
internal sealed class GsiLinesState : IMigratable
{
    private readonly GsiLine[] _lines;

    public GsiLinesState(GsiLine[] lines) => _lines = lines;

    public void SaveState(StateWriter state)
    {
        byte[] sources = new byte[_lines.Length];
        for (int i = 0; i < _lines.Length; i++)
            sources[i] = (byte)_lines[i].Sources;
        state.WriteBytes("sources", sources);
    }

    public void LoadState(StateReader state)
    {
        byte[] sources = new byte[_lines.Length];
        state.ReadBytes("sources", sources);
        state.EnsureAllRead();
        for (int i = 0; i < _lines.Length; i++)
            _lines[i].RestoreSources(sources[i]);
    }
}
