using System.Buffers.Binary;
using Emu.Core.Acpi;
using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// The interrupts of a passed-through function. The guest programs MSI-X and
/// MSI in capabilities the VMM emulates (the PCI core's components); each
/// vector has an eventfd that VFIO signals from the host interrupt handler
/// (VFIO_DEVICE_SET_IRQS, ACTION_TRIGGER) and that the vector router binds, as
/// an irqfd, to a GSI routed to the vector's address/data while the vector is
/// enabled and unmasked. A device interrupt therefore reaches the guest
/// without the VMM. A masked vector's irqfd is unbound; VFIO keeps counting on
/// its eventfd, and KVM delivers that pending count when the irqfd is bound
/// again on unmask. INTx is an eventfd plus a resample eventfd: KVM asserts
/// the line, and when the guest's EOI deasserts it, KVM signals the resample
/// eventfd, which VFIO takes as "unmask the host line" (ACTION_UNMASK).
/// VFIO enables one mechanism at a time, so switching disables the previous one.
/// </summary>
internal sealed class VfioInterrupts : IDisposable
{
    private const int MsiFullLength = 24; // 64-bit address with per-vector masking: the layout MsiCapability emulates

    private readonly VfioPciDevice _owner;
    private readonly VfioDevice _device;
    private readonly IInterruptController? _controller;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private EventFd[] _msixFds = Array.Empty<EventFd>();
    private EventFd[] _msiFds = Array.Empty<EventFd>();
    private EventFd? _intxTrigger;
    private EventFd? _intxResample;
    private IDisposable? _intxBinding;
    private VfioIntxUnmasker? _intxUnmasker;
    private int _msiEnabledCount;
    private bool _intxUsable;
    private bool _disposed;

    public VfioInterrupts(VfioPciDevice owner, VfioDevice device, Machine machine, ILogger logger)
    {
        _owner = owner;
        _device = device;
        _controller = machine.Interrupts;
        _logger = logger;
    }

    public VfioIrqMode Mode { get; private set; }

    public MsixCapability? Msix { get; private set; }

    public MsiCapability? Msi { get; private set; }

    public VfioMsixWindow? MsixTableWindow { get; private set; }

    public VfioMsixWindow? MsixPbaWindow { get; private set; }

    /// <summary>Mode switches VFIO refused (logged once each time; the function then has no interrupts).</summary>
    public long Failures { get; private set; }

    /// <summary>Sets up the emulated MSI-X and MSI capabilities at the device's own offsets.</summary>
    public void Install()
    {
        byte[] config = _owner.Snapshot;
        foreach ((byte id, int offset) in VfioCapabilityWalker.Walk(config))
        {
            if (id == PciCapabilityId.MsiX && Msix == null)
                InstallMsix(config, offset);
            else if (id == PciCapabilityId.Msi && Msi == null)
                InstallMsi(config, offset);
        }
        int pin = _owner.Config.GetByte(PciRegisters.InterruptPin);
        _intxUsable = pin is >= 1 and <= 4 && _device.IrqCount(VfioConstants.PciIntxIrqIndex) > 0 && _controller is { SupportsIrqFd: true };
        if (!_intxUsable)
            _owner.Config.SetByte(PciRegisters.InterruptPin, 0);
    }

    private void InstallMsix(byte[] config, int offset)
    {
        int count = (BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(offset + 2)) & 0x7FF) + 1;
        uint table = BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(offset + 4));
        uint pba = BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(offset + 8));
        int tableBar = (int)(table & 7), pbaBar = (int)(pba & 7);
        uint tableOffset = table & ~7u, pbaOffset = pba & ~7u;
        VfioRegion? tableRegion = tableBar < 6 ? _device.Region((uint)tableBar) : null;
        VfioRegion? pbaRegion = pbaBar < 6 ? _device.Region((uint)pbaBar) : null;
        bool fits = tableRegion != null && pbaRegion != null
            && (ulong)tableOffset + (ulong)count * MsixCapability.EntrySize <= tableRegion.Size
            && (ulong)pbaOffset + (ulong)(count + 63) / 64 * 8 <= pbaRegion.Size;
        if (!fits || _device.IrqCount(VfioConstants.PciMsixIrqIndex) == 0)
        {
            _logger.LogWarning("{Who}: MSI-X capability at 0x{Offset:x} does not match the device's BARs or VFIO offers no MSI-X; hidden from the guest", _owner.HostAddress, offset);
            Hide(offset);
            return;
        }
        var router = new MsiVectorRouter(_controller, count, _logger, $"vfio-pci {_owner.HostAddress} (MSI-X)");
        _msixFds = new EventFd[count];
        for (int v = 0; v < count; v++)
        {
            _msixFds[v] = new EventFd(nonBlocking: true);
            router.SetExternalTrigger(v, _msixFds[v]);
        }
        var msix = new MsixCapability(count, tableBar, tableOffset, pbaBar, pbaOffset, router);
        _owner.InstallCapability(msix, offset);
        _owner.EmulateConfig(offset, msix.Length);
        msix.VectorChanged = OnMsixChanged;
        MsixTableWindow = new VfioMsixWindow(msix.TableHandler);
        MsixPbaWindow = new VfioMsixWindow(msix.PbaHandler);
        Msix = msix;
    }

    private void InstallMsi(byte[] config, int offset)
    {
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(offset + 2));
        bool is64 = (control & (1 << 7)) != 0, perVectorMask = (control & (1 << 8)) != 0;
        int count = 1 << Math.Min((control >> 1) & 7, 5);
        count = Math.Min(count, (int)Math.Max(_device.IrqCount(VfioConstants.PciMsiIrqIndex), 0));
        // The emulated capability has the 24-byte layout; a shorter one on the
        // device would overlap whatever follows it. Such a device is offered
        // MSI-X or INTx instead.
        if (!is64 || !perVectorMask || count == 0 || offset + MsiFullLength > 0x100)
        {
            _logger.LogInformation("{Who}: MSI capability at 0x{Offset:x} (64-bit {Is64}, per-vector masking {Mask}) is not emulated; hidden from the guest", _owner.HostAddress, offset, is64, perVectorMask);
            Hide(offset);
            return;
        }
        count = 1 << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)count));
        var router = new MsiVectorRouter(_controller, count, _logger, $"vfio-pci {_owner.HostAddress} (MSI)");
        _msiFds = new EventFd[count];
        for (int v = 0; v < count; v++)
        {
            _msiFds[v] = new EventFd(nonBlocking: true);
            router.SetExternalTrigger(v, _msiFds[v]);
        }
        var msi = new MsiCapability(count, router);
        _owner.InstallCapability(msi, offset);
        _owner.EmulateConfig(offset, msi.Length);
        msi.StateChanged = OnMsiChanged;
        Msi = msi;
    }

    // Unlinks a capability: its predecessor's next pointer (emulated from now on) skips it.
    private void Hide(int offset)
    {
        byte[] config = _owner.Snapshot;
        int previousPointer = PciRegisters.CapabilitiesPointer;
        foreach ((byte _, int at) in VfioCapabilityWalker.Walk(config))
        {
            if (at == offset)
                break;
            previousPointer = at + 1;
        }
        byte next = config[offset + 1];
        _owner.Config.SetByte(previousPointer, next);
        config[previousPointer] = next; // later walks see the list the guest sees
        _owner.EmulateConfig(previousPointer, 1);
    }

    /// <summary>The windows of BAR <paramref name="bar"/> the VMM serves itself: the MSI-X table and PBA.</summary>
    public IReadOnlyList<(VfioArea Area, IIoHandler Handler, string Name)> EmulatedWindows(int bar)
    {
        var windows = new List<(VfioArea, IIoHandler, string)>();
        if (Msix is { } msix)
        {
            if (msix.TableBar == bar)
                windows.Add((new VfioArea(msix.TableOffset, (ulong)msix.TableSize), MsixTableWindow!, "MSI-X table"));
            if (msix.PbaBar == bar)
                windows.Add((new VfioArea(msix.PbaOffset, (ulong)msix.PbaSize), MsixPbaWindow!, "MSI-X PBA"));
        }
        return windows;
    }

    /// <summary>Once the function has its slot: INTx on, as at power-on.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (Mode == VfioIrqMode.None)
                SwitchTo(VfioIrqMode.Intx);
        }
    }

    // Config path (vCPU thread, config lock held), after MSI-X Enable or a vector changed.
    private void OnMsixChanged(int vector)
    {
        lock (_lock)
        {
            bool enabled = Msix!.Enabled;
            if (enabled && Mode != VfioIrqMode.Msix)
                SwitchTo(VfioIrqMode.Msix);
            else if (!enabled && Mode == VfioIrqMode.Msix)
                SwitchTo(FallbackMode());
        }
    }

    private void OnMsiChanged()
    {
        lock (_lock)
        {
            int wanted = Msi!.AllocatedVectors;
            if (wanted > 0 && (Mode != VfioIrqMode.Msi || wanted != _msiEnabledCount))
                SwitchTo(VfioIrqMode.Msi);
            else if (wanted == 0 && Mode == VfioIrqMode.Msi)
                SwitchTo(FallbackMode());
        }
    }

    private VfioIrqMode FallbackMode() => Msix?.Enabled == true ? VfioIrqMode.Msix : Msi?.AllocatedVectors > 0 ? VfioIrqMode.Msi : VfioIrqMode.Intx;

    private void SwitchTo(VfioIrqMode mode)
    {
        if (_disposed)
            return;
        DisableCurrent();
        try
        {
            switch (mode)
            {
                case VfioIrqMode.Intx:
                    if (!EnableIntx())
                        return;
                    break;
                case VfioIrqMode.Msi:
                    _msiEnabledCount = Msi!.AllocatedVectors;
                    SetTriggers(VfioConstants.PciMsiIrqIndex, _msiFds.AsSpan(0, _msiEnabledCount));
                    break;
                case VfioIrqMode.Msix:
                    SetTriggers(VfioConstants.PciMsixIrqIndex, _msixFds);
                    break;
                default:
                    return;
            }
            Mode = mode;
        }
        catch (PosixException e)
        {
            Failures++;
            _logger.LogError("{Who}: enabling {Mode} failed: {Error}", _owner.HostAddress, mode, e.Message);
        }
    }

    private void SetTriggers(uint index, ReadOnlySpan<EventFd> fds) =>
        _device.System.SetIrqEventFds(_device.Handle, index, VfioIrqSet.ActionTrigger, 0, fds);

    private bool _intxWithoutResampleLogged;

    private bool EnableIntx()
    {
        if (!_intxUsable || _owner.Bus == null)
            return false;
        int pin = _owner.Config.GetByte(PciRegisters.InterruptPin);
        int gsi = PciIntxRouting.Gsi(_owner.Address.Device, pin);
        _intxTrigger ??= new EventFd(nonBlocking: true);
        _intxResample ??= new EventFd(nonBlocking: true);
        _intxBinding = _controller!.AddIrqFd(_intxTrigger, gsi, _intxResample);
        try
        {
            EventFd trigger = _intxTrigger, resample = _intxResample;
            _device.System.SetIrqEventFds(_device.Handle, VfioConstants.PciIntxIrqIndex, VfioIrqSet.ActionTrigger, 0, new ReadOnlySpan<EventFd>(in trigger));
            try
            {
                _device.System.SetIrqEventFds(_device.Handle, VfioConstants.PciIntxIrqIndex, VfioIrqSet.ActionUnmask, 0, new ReadOnlySpan<EventFd>(in resample));
            }
            catch (PosixException e) when (e.Errno == LibC.ENOTTY)
            {
                // The driver takes no unmask eventfd (mdev drivers such as mtty):
                // it still masks its INTx at each trigger and waits for an unmask,
                // which the resampling irqfd's EOI signal now brings through an
                // ioctl (VfioIntxUnmasker). One unmask now: the device may be
                // masked from before (a trigger that was never answered).
                _intxUnmasker = new VfioIntxUnmasker(_device, resample, _logger, $"vfio-pci {_owner.HostAddress}");
                _intxUnmasker.Unmask();
                if (!_intxWithoutResampleLogged)
                {
                    _intxWithoutResampleLogged = true;
                    _logger.LogInformation("vfio: the device takes no INTx unmask eventfd; emu unmasks it at each EOI");
                }
            }
        }
        catch
        {
            _intxBinding.Dispose();
            _intxBinding = null;
            throw;
        }
        return true;
    }

    private void DisableCurrent()
    {
        VfioIrqMode mode = Mode;
        Mode = VfioIrqMode.None;
        try
        {
            switch (mode)
            {
                case VfioIrqMode.Intx:
                    _intxUnmasker?.Dispose();
                    _intxUnmasker = null;
                    _device.System.SetIrqsNone(_device.Handle, VfioConstants.PciIntxIrqIndex, VfioIrqSet.ActionTrigger, 0, 0);
                    _intxBinding?.Dispose();
                    _intxBinding = null;
                    break;
                case VfioIrqMode.Msi:
                    _device.System.SetIrqsNone(_device.Handle, VfioConstants.PciMsiIrqIndex, VfioIrqSet.ActionTrigger, 0, 0);
                    _msiEnabledCount = 0;
                    break;
                case VfioIrqMode.Msix:
                    _device.System.SetIrqsNone(_device.Handle, VfioConstants.PciMsixIrqIndex, VfioIrqSet.ActionTrigger, 0, 0);
                    break;
            }
        }
        catch (PosixException e)
        {
            Failures++;
            _logger.LogWarning("{Who}: disabling {Mode} failed: {Error}", _owner.HostAddress, mode, e.Message);
        }
    }

    /// <summary>Before a reset: every mechanism off.</summary>
    public void DisableAll()
    {
        lock (_lock)
            DisableCurrent();
    }

    /// <summary>After a reset: the capabilities are back to power-on, so INTx again.</summary>
    public void AfterReset() => Start();

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            if (!_device.Handle.IsClosed)
                DisableCurrent();
            _disposed = true;
        }
        Msix?.Dispose();
        Msi?.Dispose();
        foreach (EventFd fd in _msixFds)
            fd.Dispose();
        foreach (EventFd fd in _msiFds)
            fd.Dispose();
        _intxUnmasker?.Dispose();
        _intxBinding?.Dispose();
        _intxTrigger?.Dispose();
        _intxResample?.Dispose();
    }
}
