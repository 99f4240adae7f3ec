using Emu.Core.Migration;

namespace Emu.Devices.FwCfg;

// fw_cfg migrates where the firmware is in its reading: the selected item
// and the offset in it. The items themselves come from the destination's
// own command line (it must have the same -fw_cfg and -kernel), as in QEMU.
public sealed partial class FwCfgDevice
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteU32("selector", (uint)_selector);
            state.WriteU32("offset", (uint)_position);
        }
    }

    public override void LoadState(StateReader state)
    {
        uint selector = state.ReadU32("selector");
        uint offset = state.ReadU32("offset");
        lock (_lock)
        {
            if (selector == uint.MaxValue)
            {
                _selector = -1;
                _current = Array.Empty<byte>();
                _position = 0;
                return;
            }
            if (selector > ushort.MaxValue)
                throw new MigrationException($"{state.Section}: selector 0x{selector:x} does not fit 16 bits");
            _selector = (int)selector;
            _current = _items.GetValueOrDefault((ushort)selector) ?? Array.Empty<byte>();
            if (offset > (uint)_current.Length)
                throw new MigrationException($"{state.Section}: offset {offset} is beyond item 0x{selector:x} ({_current.Length} bytes here): the destination's fw_cfg differs");
            _position = (int)offset;
        }
    }
}
