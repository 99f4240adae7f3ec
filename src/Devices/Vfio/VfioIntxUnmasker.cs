using Emu.Core.Posix;
using Emu.Devices.HostIo;
using Emu.Devices.Vfio.Interop;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// INTx of a device whose driver takes no unmask eventfd. VFIO's INTx contract is that
/// the driver masks the interrupt when it signals the trigger eventfd and raises it
/// again only after an unmask; vfio-pci itself accepts an unmask eventfd, which KVM's
/// resampling irqfd signals when the guest's EOI deasserts the line. Mediated-device
/// vendor drivers may refuse that eventfd (mtty answers ENOTTY and takes only
/// ACTION_UNMASK with DATA_NONE or DATA_BOOL); without an unmask such a device
/// interrupts exactly once. This thread does what the kernel would do with the
/// eventfd: it waits on the irqfd's resample eventfd and answers each signal with
/// VFIO_DEVICE_SET_IRQS(INTx, ACTION_UNMASK, DATA_NONE). Each guest EOI of the line is
/// at most one ioctl, so a guest cannot make it do more than it does itself.
/// </summary>
internal sealed class VfioIntxUnmasker : IDisposable
{
    private const ulong ResampleToken = 1, StopToken = 2;

    private readonly VfioDevice _device;
    private readonly EventFd _resample;
    private readonly ILogger _logger;
    private readonly string _who;
    private readonly EpollSet _epoll = new();
    private readonly EventFd _stop = new(nonBlocking: true);
    private readonly Thread _thread;
    private bool _failureLogged;
    private bool _disposed;

    public VfioIntxUnmasker(VfioDevice device, EventFd resample, ILogger logger, string who)
    {
        _device = device;
        _resample = resample;
        _logger = logger;
        _who = who;
        _epoll.Add(_stop.Handle, StopToken);
        _epoll.Add(resample.Handle, ResampleToken);
        _thread = new Thread(Run) { IsBackground = true, Name = "vfio-intx-unmask" };
        _thread.Start();
    }

    /// <summary>Unmasks done (one per resample signal that found the counter set).</summary>
    public long Unmasks => Interlocked.Read(ref _unmasks);

    private long _unmasks;

    /// <summary>ACTION_UNMASK with no data: the device may interrupt again.</summary>
    public void Unmask()
    {
        try
        {
            _device.System.SetIrqsNone(_device.Handle, VfioConstants.PciIntxIrqIndex, VfioIrqSet.ActionUnmask, 0, 1);
            Interlocked.Increment(ref _unmasks);
        }
        catch (Exception e) when (e is PosixException or ObjectDisposedException)
        {
            if (!_failureLogged)
            {
                _failureLogged = true;
                _logger.LogWarning("{Who}: unmasking INTx failed: {Error}", _who, e.Message);
            }
        }
    }

    private void Run()
    {
        Span<EpollEvent> ready = stackalloc EpollEvent[2];
        while (true)
        {
            int n = _epoll.Wait(ready);
            for (int i = 0; i < n; i++)
            {
                if (ready[i].Data == StopToken)
                    return;
                if (_resample.Wait() != 0)
                    Unmask();
            }
        }
    }

    /// <summary>Stops the thread; once this returns the device is not touched again.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stop.Signal();
        if (Thread.CurrentThread != _thread)
            _thread.Join();
        _epoll.Dispose();
        _stop.Dispose();
    }
}
