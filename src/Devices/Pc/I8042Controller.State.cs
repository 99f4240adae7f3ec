using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The 8042 in the migration stream: controller RAM (the command byte first),
// the output buffer's queue, the output port, a command waiting for its data
// byte, and the IRQ 1/12 levels (restored with the lines, not re-driven).
public sealed partial class I8042Controller
{
    internal void Save(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteBytes("ram", _ram);
            byte[] queue = new byte[_count * 2];
            for (int i = 0; i < _count; i++)
            {
                ref Entry e = ref _queue[(_head + i) % QueueSize];
                queue[2 * i] = e.Value;
                queue[2 * i + 1] = (byte)((e.Aux ? 1 : 0) | (e.Timeout ? 2 : 0));
            }
            state.WriteBytes("queue", queue);
            state.WriteU8("last-data", _lastData);
            state.WriteU8("output-port", _outputPort);
            state.WriteU8("pending-command", _pendingCommand);
            state.WriteBool("last-write-was-command", _lastWriteWasCommand);
            state.WriteBool("keyboard-irq", _keyboardLevel);
            state.WriteBool("aux-irq", _auxLevel);
        }
    }

    internal void Load(StateReader state)
    {
        byte[] ram = new byte[_ram.Length];
        state.ReadBytes("ram", ram);
        ReadOnlySpan<byte> queue = state.ReadBytes("queue", QueueSize * 2);
        if (queue.Length % 2 != 0)
            throw new MigrationException($"{state.Section}: the output queue has an odd number of bytes");
        lock (_lock)
        {
            ram.CopyTo(_ram, 0);
            _head = 0;
            _count = queue.Length / 2;
            for (int i = 0; i < _count; i++)
            {
                byte flags = queue[2 * i + 1];
                if ((flags & ~3) != 0)
                    throw new MigrationException($"{state.Section}: output queue entry {i} has flags 0x{flags:x2}");
                _queue[i] = new Entry { Value = queue[2 * i], Aux = (flags & 1) != 0, Timeout = (flags & 2) != 0 };
            }
            _lastData = state.ReadU8("last-data");
            _outputPort = state.ReadU8("output-port");
            _pendingCommand = state.ReadU8("pending-command");
            _lastWriteWasCommand = state.ReadBool("last-write-was-command");
            _keyboardLevel = state.ReadBool("keyboard-irq");
            _auxLevel = state.ReadBool("aux-irq");
        }
    }
}
