using System.Text.Json;
using Emu.Core.Pci;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-pci: the functions on each bus with their IDs, class, interrupt pin
/// and BARs ("address" is where the BAR decodes now, -1 while it does not).
/// </summary>
internal sealed class QueryPciCommand : QmpCommand
{
    public override string Name => "query-pci";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var w = call.Result;
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteNumber("bus", 0);
        w.WriteStartArray("devices");
        foreach (PciFunctionInfo f in PciListing.Query(call.Context.Vm.Machine))
            WriteFunction(w, f);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }

    private static void WriteFunction(Utf8JsonWriter w, PciFunctionInfo f)
    {
        w.WriteStartObject();
        w.WriteNumber("bus", f.Address.Bus);
        w.WriteNumber("slot", f.Address.Device);
        w.WriteNumber("function", f.Address.Function);
        w.WriteStartObject("class_info");
        int classAndSubclass = (int)(f.ClassCode >> 8);
        w.WriteNumber("class", classAndSubclass);
        if (PciClassNames.Describe(classAndSubclass) is { } description)
            w.WriteString("desc", description);
        w.WriteEndObject();
        w.WriteStartObject("id");
        w.WriteNumber("device", f.DeviceId);
        w.WriteNumber("vendor", f.VendorId);
        w.WriteNumber("subsystem", f.SubsystemId);
        w.WriteNumber("subsystem-vendor", f.SubsystemVendorId);
        w.WriteEndObject();
        w.WriteNumber("irq_pin", f.InterruptPin);
        if (f.InterruptPin != 0)
            w.WriteNumber("irq", f.InterruptLine);
        w.WriteString("qdev_id", f.Id ?? "");
        w.WriteStartArray("regions");
        foreach (PciBarInfo bar in f.Bars)
        {
            w.WriteStartObject();
            w.WriteNumber("bar", bar.Index);
            w.WriteString("type", bar.Kind == PciBarKind.Io ? "io" : "memory");
            if (bar.Address is ulong address)
                w.WriteNumber("address", address);
            else
                w.WriteNumber("address", -1);
            w.WriteNumber("size", bar.Size);
            if (bar.Kind != PciBarKind.Io)
            {
                w.WriteBoolean("prefetch", bar.Prefetchable);
                w.WriteBoolean("mem_type_64", bar.Kind == PciBarKind.Memory64);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
