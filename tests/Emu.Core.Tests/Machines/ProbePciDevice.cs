using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Core.Tests.Machines;

/// <summary>
/// A PCI function with one 4 KiB memory BAR that watches its own lifetime:
/// whether it was released while a vCPU was inside its handler, whether a
/// handler ran after the release, and whether a reset overlapped its removal.
/// Accesses and the removal can be held at gates the test opens.
/// </summary>
internal sealed class ProbePciDevice : PciDevice
{
    public static new readonly ObjectType TypeInfo = new("probe-pci", PciDevice.TypeInfo, t => new ProbePciDevice(t), "a lifetime probe", userCreatable: true);

    private int _inside;
    private int _unrealizing;
    private int _unrealizeCount;

    public ProbePciDevice(ObjectType type) : base(type)
    {
        SetIdentity(0x1234, 0x0001, 0xFF0000);
        AddBar(0, PciBarKind.Memory32, 0x1000, MemoryRegion.CreateIo("probe", 0x1000, new ProbeHandler(this)));
    }

    /// <summary>Accesses wait at <see cref="AccessGate"/> (after setting <see cref="AccessEntered"/>).</summary>
    public bool HoldAccesses { get; set; }

    public ManualResetEventSlim AccessEntered { get; } = new();

    public ManualResetEventSlim AccessGate { get; } = new();

    /// <summary>The release waits at <see cref="UnrealizeGate"/> (after setting <see cref="UnrealizeEntered"/>).</summary>
    public bool HoldUnrealize { get; set; }

    public ManualResetEventSlim UnrealizeEntered { get; } = new();

    public ManualResetEventSlim UnrealizeGate { get; } = new();

    public bool ThrowOnUnrealize { get; set; }

    public volatile bool Released;

    public volatile bool ReleasedWhileInside;

    public volatile bool UsedAfterRelease;

    public volatile bool ResetDuringRemoval;

    public int UnrealizeCount => Volatile.Read(ref _unrealizeCount);

    /// <summary>Set at release: what the test wants to know about the vCPUs at that moment.</summary>
    public Func<bool>? ReleaseCheck { get; set; }

    public bool ReleaseCheckPassed { get; private set; }

    protected override void RealizePci(Machine machine)
    {
    }

    internal void Access()
    {
        Interlocked.Increment(ref _inside);
        try
        {
            if (Released)
                UsedAfterRelease = true;
            if (HoldAccesses)
            {
                AccessEntered.Set();
                AccessGate.Wait();
            }
            if (Released)
                UsedAfterRelease = true;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    public override void Reset()
    {
        if (Volatile.Read(ref _unrealizing) != 0)
            ResetDuringRemoval = true;
        base.Reset();
    }

    protected override void OnUnrealize()
    {
        Interlocked.Increment(ref _unrealizeCount);
        Interlocked.Increment(ref _unrealizing);
        try
        {
            if (HoldUnrealize)
            {
                UnrealizeEntered.Set();
                UnrealizeGate.Wait();
            }
            base.OnUnrealize();
            ReleaseCheckPassed = ReleaseCheck?.Invoke() ?? true;
            if (Volatile.Read(ref _inside) != 0)
                ReleasedWhileInside = true;
            Released = true;
            if (ThrowOnUnrealize)
                throw new InvalidOperationException("the probe failed to release its host resources");
        }
        finally
        {
            Interlocked.Decrement(ref _unrealizing);
        }
    }

    private sealed class ProbeHandler(ProbePciDevice owner) : IIoHandler
    {
        public void Read(ulong offset, Span<byte> data)
        {
            owner.Access();
            data.Clear();
        }

        public void Write(ulong offset, ReadOnlySpan<byte> data) => owner.Access();
    }
}
