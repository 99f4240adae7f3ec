using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The host bridge migrates its config space (the extended TSEG register
// among it), the CONFIG_ADDRESS latch at 0xCF8 (a guest stopped between
// writing it and using 0xCFC finds it again) and the reset control register.
public sealed partial class Q35HostBridge
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state)
    {
        base.SaveState(state);
        state.WriteU32("config-address", ConfigIo?.AddressRegister ?? 0);
        state.WriteU8("reset-control", (ConfigIo?.ResetControl as ResetControlRegister)?.Value ?? 0);
    }

    public override void LoadState(StateReader state)
    {
        base.LoadState(state);
        uint address = state.ReadU32("config-address");
        byte reset = state.ReadU8("reset-control");
        if (ConfigIo != null)
        {
            ConfigIo.AddressRegister = address;
            if (ConfigIo.ResetControl is ResetControlRegister rcr)
                rcr.Value = reset;
        }
    }
}
