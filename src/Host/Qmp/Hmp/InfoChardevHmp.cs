namespace Emu.Host.Qmp.Hmp;

/// <summary>"info chardev": "LABEL: filename=ADDRESS" per backend, as QEMU prints it, with the output dropped for a slow consumer.</summary>
internal sealed class InfoChardevHmp : HmpCommand
{
    public override string Name => "info chardev";

    public override string Usage => "info chardev -- show the character devices (and the guest output each dropped)";

    public override Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex)
    {
        var text = new HmpText();
        foreach ((string label, Emu.Devices.Chardev.Chardev chardev) in ChardevListing.Query(context.Vm.Machine))
        {
            long dropped = chardev.DroppedBytes;
            text.Line(dropped == 0 ? $"{label}: filename={chardev.Describe()}" : $"{label}: filename={chardev.Describe()}, dropped {dropped} bytes of output");
        }
        return Task.FromResult(text.ToString());
    }
}
