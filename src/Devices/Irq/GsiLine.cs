using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Devices.Irq;

/// <summary>
/// A GSI below 24 as the chipset wires it: an ISA IRQ to its 8259 input (GSI
/// 0-15 but 2) and to an IOAPIC pin (GSI 0 to pin 2, where the MADT's source
/// override puts the timer; GSI 1-23 but 2 to the pin of the same number).
///
/// The line's level is the OR of its sources, as KVM keeps one per source
/// ID: the devices that hold it through <see cref="IIrqLine"/>, the irqfd
/// resampler (asserted by a level irqfd until the guest acknowledges the
/// interrupt), the edge irqfds' pulses and the PIT (on GSI 0, through a
/// <see cref="GsiSourceLine"/>). Only changes of the OR reach the chips.
/// The line's lock is taken before the chips' locks.
/// </summary>
internal sealed partial class GsiLine : IIrqLine
{
    public const int DeviceSource = 1, ResampleSource = 2, IrqFdPulseSource = 4, PitSource = 8;

    private readonly object _lock = new();
    private readonly PicPair _pic;
    private readonly IoApic _ioApic;
    private readonly int _picIrq;
    private readonly int _ioApicPin;
    private int _sources;
    private EventFd[] _resamplers = [];

    public GsiLine(int gsi, PicPair pic, IoApic ioApic)
    {
        Gsi = gsi;
        _pic = pic;
        _ioApic = ioApic;
        _picIrq = gsi < 16 && gsi != 2 ? gsi : -1;
        _ioApicPin = gsi switch
        {
            0 => 2,
            2 => -1,
            _ => gsi,
        };
    }

    public int Gsi { get; }

    public bool Level
    {
        get
        {
            lock (_lock)
                return _sources != 0;
        }
    }

    public void Set(bool asserted) => SetSource(DeviceSource, asserted);

    public void SetSource(int source, bool asserted)
    {
        lock (_lock)
            SetSourceLocked(source, asserted);
    }

    /// <summary>An edge irqfd: a pulse that leaves the other sources' level alone.</summary>
    public void PulseFromIrqFd()
    {
        lock (_lock)
        {
            SetSourceLocked(IrqFdPulseSource, true);
            SetSourceLocked(IrqFdPulseSource, false);
        }
    }

    /// <summary>A level irqfd fired: asserted until the guest acknowledges it.</summary>
    public void AssertFromResampler()
    {
        lock (_lock)
            SetSourceLocked(ResampleSource, true);
    }

    public void AddResampler(EventFd resample)
    {
        lock (_lock)
            _resamplers = [.. _resamplers, resample];
    }

    public void RemoveResampler(EventFd resample)
    {
        lock (_lock)
        {
            int i = Array.IndexOf(_resamplers, resample);
            if (i < 0)
                return;
            EventFd[] rest = new EventFd[_resamplers.Length - 1];
            Array.Copy(_resamplers, 0, rest, 0, i);
            Array.Copy(_resamplers, i + 1, rest, i, rest.Length - i);
            _resamplers = rest;
            if (rest.Length == 0)
                SetSourceLocked(ResampleSource, false);
        }
    }

    /// <summary>
    /// The guest acknowledged this GSI's interrupt (an IOAPIC EOI, a PIC EOI):
    /// like KVM's irqfd resampler, the resampled level goes down and every
    /// resample eventfd is signalled; the device asserts the irqfd again if it
    /// still needs service.
    /// </summary>
    public void Acknowledged()
    {
        lock (_lock)
        {
            EventFd[] resamplers = _resamplers;
            if (resamplers.Length == 0)
                return;
            SetSourceLocked(ResampleSource, false);
            for (int i = 0; i < resamplers.Length; i++)
            {
                try
                {
                    resamplers[i].Signal();
                }
                catch (PosixException)
                {
                    // Closed by its owner before the binding was disposed: nobody to tell.
                }
            }
        }
    }

    private void SetSourceLocked(int source, bool asserted)
    {
        bool before = _sources != 0;
        _sources = asserted ? _sources | source : _sources & ~source;
        bool after = _sources != 0;
        if (before == after)
            return;
        if (_picIrq >= 0)
            _pic.SetIrq(_picIrq, after);
        if (_ioApicPin >= 0)
            _ioApic.SetPin(_ioApicPin, after);
    }
}
