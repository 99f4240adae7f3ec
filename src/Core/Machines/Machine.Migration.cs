using Emu.Core.Migration;

namespace Emu.Core.Machines;

// What a migration or snapshot of the machine consists of: the board's own
// state (e.g. its userspace interrupt controllers), the accelerator's VM-wide
// state, every device in the order it was realized, and every vCPU.
public abstract partial class Machine
{
    /// <summary>The accelerator's name (kvm, tcg), recorded in the migration stream.</summary>
    public string AcceleratorName { get; private set; } = "";

    /// <summary>State the board keeps besides its devices (the interrupt controllers it emulates).</summary>
    protected virtual IEnumerable<MigrationSection> BoardMigrationSections() => Array.Empty<MigrationSection>();

    /// <summary>
    /// Everything that stops this machine from migrating, one message per
    /// device or part that cannot, each naming it; empty when it can.
    /// </summary>
    public IReadOnlyList<string> MigrationBlockers()
    {
        var blockers = new List<string>();
        foreach (MigrationSection section in BoardMigrationSections())
        {
            if (section.State.MigrationBlocker is { } reason)
                blockers.Add($"{section.Id}: {reason}");
        }
        foreach (MigrationSection section in Vm.MigrationSections)
        {
            if (section.State.MigrationBlocker is { } reason)
                blockers.Add($"{section.Id}: {reason}");
        }
        foreach (Device device in Devices)
        {
            if (device.MigrationBlocker is { } reason)
                blockers.Add(reason);
        }
        foreach (VcpuRunner runner in Controller.Vcpus)
        {
            if (runner.Vcpu.MigrationBlocker is { } reason)
                blockers.Add($"vcpu{runner.Index}: {reason}");
        }
        return blockers;
    }

    /// <summary>
    /// The sections of the state stream, in the order they are saved and
    /// loaded: interrupt controllers first (a vCPU's load re-arms its timer
    /// deadline in its local APIC), then the devices, then the vCPUs.
    /// </summary>
    public IReadOnlyList<MigrationSection> MigrationSections()
    {
        var sections = new List<MigrationSection>();
        sections.AddRange(BoardMigrationSections());
        sections.AddRange(Vm.MigrationSections);
        foreach (Device device in Devices)
            sections.Add(new MigrationSection(device.CanonicalPath, device.StateVersion, device));
        foreach (VcpuRunner runner in Controller.Vcpus)
            sections.Add(new MigrationSection($"cpu/{runner.Index}", 1, new VcpuStateSection(Controller, runner.Index)));
        return sections;
    }

    /// <summary>What this machine is, for the head of the stream (and for checking an incoming one).</summary>
    public MigrationConfiguration MigrationConfiguration(bool running) =>
        new(Type.Name, AcceleratorName, CpuCount, Ram.Ranges.Select(r => (r.Start.Value, r.Size)).ToArray(), running);
}
