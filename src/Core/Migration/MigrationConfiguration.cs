namespace Emu.Core.Migration;

/// <summary>
/// What the source machine is, sent first: the destination refuses a stream
/// from a different machine type, accelerator, number of vCPUs or RAM layout
/// before it touches anything. <see cref="SourceRunning"/> says whether the
/// guest was running when the migration began (the destination then resumes
/// it, unless it was started with -S).
/// </summary>
public sealed record MigrationConfiguration(
    string MachineType,
    string Accelerator,
    int CpuCount,
    IReadOnlyList<(ulong Start, ulong Size)> RamRanges,
    bool SourceRunning)
{
    /// <summary>At most this many RAM ranges (q35 has two).</summary>
    public const int MaxRamRanges = 64;

    public void Save(StateWriter state)
    {
        state.WriteString("machine-type", MachineType);
        state.WriteString("accelerator", Accelerator);
        state.WriteU32("cpus", (uint)CpuCount);
        var ranges = new ulong[RamRanges.Count * 2];
        for (int i = 0; i < RamRanges.Count; i++)
        {
            ranges[2 * i] = RamRanges[i].Start;
            ranges[2 * i + 1] = RamRanges[i].Size;
        }
        state.WriteU64Array("ram-ranges", ranges);
        state.WriteBool("running", SourceRunning);
    }

    public static MigrationConfiguration Load(StateReader state)
    {
        string machine = state.ReadString("machine-type", 128);
        string accelerator = state.ReadString("accelerator", 32);
        int cpus = (int)state.ReadU32("cpus", 4096);
        ReadOnlySpan<byte> raw = state.ReadBytes("ram-ranges", MaxRamRanges * 16);
        if (raw.Length % 16 != 0)
            throw new MigrationException($"{state.Section}: field 'ram-ranges' is not a list of (start, size) pairs");
        var values = new ulong[raw.Length / 8];
        state.ReadU64Array("ram-ranges", values);
        var ranges = new List<(ulong, ulong)>();
        for (int i = 0; i < values.Length; i += 2)
            ranges.Add((values[i], values[i + 1]));
        bool running = state.ReadBool("running");
        state.EnsureAllRead();
        return new MigrationConfiguration(machine, accelerator, cpus, ranges, running);
    }

    /// <summary>Refuses a source this destination cannot take, saying what differs.</summary>
    public void CheckCompatibleWith(MigrationConfiguration local)
    {
        if (MachineType != local.MachineType)
            throw new MigrationException($"Machine type received is '{MachineType}' and local is '{local.MachineType}': start the destination with -machine {MachineType}");
        if (Accelerator != local.Accelerator)
            throw new MigrationException($"the source runs on the {Accelerator} accelerator and this VM on {local.Accelerator}: their vCPU state is not interchangeable");
        if (CpuCount != local.CpuCount)
            throw new MigrationException($"the source has {CpuCount} vCPUs and this VM {local.CpuCount}: give the destination the same -smp");
        if (!RamRanges.SequenceEqual(local.RamRanges))
            throw new MigrationException($"the source's guest RAM is laid out as {Describe(RamRanges)} and this VM's as {Describe(local.RamRanges)}: give the destination the same -m");
    }

    private static string Describe(IReadOnlyList<(ulong Start, ulong Size)> ranges) =>
        ranges.Count == 0 ? "nothing" : string.Join(", ", ranges.Select(r => $"0x{r.Start:x}+0x{r.Size:x}"));
}
