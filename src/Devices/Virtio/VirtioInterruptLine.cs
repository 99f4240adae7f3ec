using Emu.Core.Pci;

namespace Emu.Devices.Virtio;

/// <summary>
/// How the virtio-pci transport interrupts the driver: the MSI-X vector the
/// driver chose when it enabled MSI-X (NO_VECTOR meaning none), otherwise the
/// ISR status bits and INTx, which a read of the ISR deasserts (virtio 1.2
/// sections 4.1.4.5 and 4.1.5.3). Called from the device's worker and from
/// vCPU threads; it takes no lock of its own, only the function's INTx lock
/// through <see cref="PciDevice.SetIntx"/>, never its config lock.
/// </summary>
internal sealed class VirtioInterruptLine
{
    /// <summary>ISR bit 0: a queue has used buffers; bit 1: the configuration changed.</summary>
    public const int QueueInterrupt = 1, ConfigInterrupt = 2;

    private readonly PciDevice _function;
    private readonly MsixCapability _msix;
    private int _isr;

    public VirtioInterruptLine(PciDevice function, MsixCapability msix)
    {
        _function = function;
        _msix = msix;
    }

    /// <summary>Interrupts the driver with <paramref name="vector"/>, or with <paramref name="isrBit"/> and INTx without MSI-X. Allocation-free.</summary>
    public void Signal(ushort vector, int isrBit)
    {
        if (_msix.Enabled)
        {
            if (vector != VirtioPciDevice.NoVector)
                _msix.Notify(vector);
            return;
        }
        Interlocked.Or(ref _isr, isrBit);
        _function.SetIntx(true);
    }

    /// <summary>Reading the ISR status returns and clears it and deasserts INTx (4.1.4.5).</summary>
    public byte ReadAndClearIsr()
    {
        byte isr = (byte)Interlocked.Exchange(ref _isr, 0);
        if (isr != 0)
            _function.SetIntx(false);
        return isr;
    }

    /// <summary>The ISR status bits now (migration; reading it here clears nothing).</summary>
    public byte Isr => (byte)Volatile.Read(ref _isr);

    /// <summary>Restores the ISR bits from a migration stream; the INTx level is the PCI function's own state.</summary>
    public void RestoreIsr(byte isr) => Volatile.Write(ref _isr, isr);

    /// <summary>Device reset: no ISR bits, INTx low.</summary>
    public void Clear()
    {
        if (Interlocked.Exchange(ref _isr, 0) != 0)
            _function.SetIntx(false);
    }
}
