using Emu.Core.Migration;

namespace Emu.Devices.Virtio.Console;

// virtio-console (one port, no multiport, so no control queue and no port
// open state) migrates the backend's input that has not reached a receive
// buffer yet: nothing typed is lost. The backend itself stays on the host;
// the destination's console is its own chardev.
public sealed partial class VirtioConsoleDevice
{
    public override void SaveDeviceState(StateWriter state)
    {
        byte[] pending;
        lock (_ringLock)
        {
            pending = new byte[_ringCount];
            for (int i = 0; i < _ringCount; i++)
                pending[i] = _ring[(_ringStart + i) % RingSize];
        }
        state.WriteBytes("dev.input", pending);
    }

    public override void LoadDeviceState(StateReader state)
    {
        ReadOnlySpan<byte> pending = state.ReadBytes("dev.input", RingSize);
        lock (_ringLock)
        {
            pending.CopyTo(_ring);
            _ringStart = 0;
            _ringCount = pending.Length;
        }
        if (pending.Length > 0)
            _inputReady.Signal(); // delivered once the worker runs
    }
}
