using Emu.Core.Machines;

namespace Emu.Host.Qmp;

/// <summary>The machine's life-cycle events as QMP event messages (QAPI's STOP, RESUME, RESET, SHUTDOWN, POWERDOWN, DEVICE_DELETED).</summary>
internal static class QmpEvents
{
    public static byte[] Format(MachineEvent e) => e.Kind switch
    {
        MachineEventKind.Stop => QmpReplyWriter.Event("STOP", e.Timestamp, null),
        MachineEventKind.Resume => QmpReplyWriter.Event("RESUME", e.Timestamp, null),
        MachineEventKind.Powerdown => QmpReplyWriter.Event("POWERDOWN", e.Timestamp, null),
        MachineEventKind.Reset => QmpReplyWriter.Event("RESET", e.Timestamp, w =>
        {
            w.WriteBoolean("guest", e.ByGuest);
            w.WriteString("reason", e.ByGuest ? "guest-reset" : "host-qmp-system-reset");
        }),
        MachineEventKind.Shutdown => QmpReplyWriter.Event("SHUTDOWN", e.Timestamp, w =>
        {
            w.WriteBoolean("guest", e.Exit?.ByGuest ?? false);
            w.WriteString("reason", e.Exit?.QmpReason ?? "host-error");
        }),
        _ => QmpReplyWriter.Event("DEVICE_DELETED", e.Timestamp, w =>
        {
            if (e.DeviceId != null)
                w.WriteString("device", e.DeviceId);
            w.WriteString("path", e.DevicePath ?? "");
        }),
    };
}
