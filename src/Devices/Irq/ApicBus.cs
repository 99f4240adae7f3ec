using Emu.Core.Interrupts;

namespace Emu.Devices.Irq;

/// <summary>
/// The interrupt message fabric between the local APICs, the IOAPIC and
/// MSIs (Intel SDM vol. 3A, 11.6 and 11.11): it finds the target APICs of a
/// message by shorthand or destination (physical: an APIC ID or the broadcast;
/// logical: the flat, cluster or x2APIC cluster model of each target's LDR and
/// DFR) and hands the message to them. Globally disabled APICs take nothing.
///
/// Lowest-priority delivery (and an MSI's redirection hint) goes to one of
/// the targets: the one with the lowest task priority class, ties broken
/// round-robin, so equal CPUs share the interrupts. Level-triggered EOIs of
/// the local APICs come back through <see cref="BroadcastEoi"/> to the IOAPIC.
///
/// Delivery allocates nothing and takes no lock of its own: the APIC table is
/// filled once while the machine is built, and each APIC locks itself.
/// </summary>
public sealed class ApicBus
{
    private readonly LocalApic?[] _apics;
    private int _roundRobin;

    public ApicBus(int capacity)
    {
        if (capacity is < 1 or > 0xFF)
            throw new ArgumentOutOfRangeException(nameof(capacity), "1-255 local APICs");
        _apics = new LocalApic?[capacity];
    }

    public int Capacity => _apics.Length;

    /// <summary>Where level-triggered EOIs are broadcast (the IOAPIC).</summary>
    public IoApic? IoApic { get; set; }

    public LocalApic? this[int index] => (uint)index < (uint)_apics.Length ? Volatile.Read(ref _apics[index]) : null;

    internal void Attach(LocalApic apic)
    {
        if ((uint)apic.Index >= (uint)_apics.Length)
            throw new ArgumentOutOfRangeException(nameof(apic), $"APIC {apic.Index} does not fit a bus of {_apics.Length}");
        if (Interlocked.CompareExchange(ref _apics[apic.Index], apic, null) != null)
            throw new InvalidOperationException($"local APIC {apic.Index} already exists");
    }

    /// <summary>Delivers a message; <paramref name="source"/> is the sending APIC for shorthands. Returns how many APICs accepted it.</summary>
    public int Deliver(in ApicMessage message, LocalApic? source = null)
    {
        if (message.Shorthand == ApicShorthand.Self)
            return source != null && source.Accept(message) ? 1 : 0;
        if (message.ToOneTarget)
            return DeliverToLowestPriority(message, source);
        int accepted = 0;
        LocalApic?[] apics = _apics;
        for (int i = 0; i < apics.Length; i++)
        {
            LocalApic? apic = Volatile.Read(ref apics[i]);
            if (apic != null && IsTarget(apic, message, source) && apic.Accept(message))
                accepted++;
        }
        return accepted;
    }

    /// <summary>Delivers an MSI; false when the write is not an interrupt message the APICs take.</summary>
    public bool DeliverMsi(MsiMessage msi)
    {
        if (!MsiDecoder.TryDecode(msi, out ApicMessage message) || !message.Assert)
            return false;
        Deliver(message);
        return true;
    }

    /// <summary>A local APIC's EOI for a level-triggered vector reaches the IOAPIC (11.8.5).</summary>
    internal void BroadcastEoi(int vector) => IoApic?.EndOfInterrupt(vector);

    private int DeliverToLowestPriority(in ApicMessage message, LocalApic? source)
    {
        LocalApic?[] apics = _apics;
        uint lowest = uint.MaxValue;
        for (int i = 0; i < apics.Length; i++)
        {
            LocalApic? apic = Volatile.Read(ref apics[i]);
            if (apic != null && IsTarget(apic, message, source))
                lowest = Math.Min(lowest, apic.ArbitrationPriority);
        }
        if (lowest == uint.MaxValue)
            return 0;
        int start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)apics.Length);
        for (int n = 0; n < apics.Length; n++)
        {
            LocalApic? apic = Volatile.Read(ref apics[(start + n) % apics.Length]);
            if (apic != null && IsTarget(apic, message, source) && apic.ArbitrationPriority == lowest)
                return apic.Accept(message) ? 1 : 0;
        }
        return 0;
    }

    private static bool IsTarget(LocalApic apic, in ApicMessage message, LocalApic? source)
    {
        if (apic.Mode == LocalApicMode.Disabled)
            return false;
        return message.Shorthand switch
        {
            ApicShorthand.AllIncludingSelf => true,
            ApicShorthand.AllExcludingSelf => !ReferenceEquals(apic, source),
            _ => message.LogicalDestination
                ? apic.MatchesLogical(message.Destination, message.X2ApicFormat)
                : apic.MatchesPhysical(message.Destination, message.X2ApicFormat),
        };
    }
}
