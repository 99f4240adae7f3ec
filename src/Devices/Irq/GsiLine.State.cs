namespace Emu.Devices.Irq;

// The line's sources for the migration stream: restored as they were, without
// telling the chips (their input levels are restored with them).
internal sealed partial class GsiLine
{
    /// <summary>The sources holding the line (bits: device, resampler, irqfd pulse, PIT).</summary>
    public int Sources
    {
        get
        {
            lock (_lock)
                return _sources;
        }
    }

    /// <summary>Sets the sources as saved; the chips' levels are loaded with the chips.</summary>
    public void RestoreSources(int sources)
    {
        lock (_lock)
            _sources = sources & (DeviceSource | ResampleSource | PitSource);
    }
}
