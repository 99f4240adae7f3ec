using System.Buffers.Binary;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Devices.DebugExit;

/// <summary>
/// QEMU's isa-debug-exit: a guest write of V ends the VMM with exit status
/// (V &lt;&lt; 1) | 1. Test guests use it to report results; the status can
/// never be 0, so success is reported by powering off instead.
/// </summary>
public sealed class IsaDebugExit : Device, IIoHandler
{
    public static readonly IntegerProperty IoBaseProperty = IntegerProperty.UInt16("iobase", 0x501, "I/O port base");
    public static readonly IntegerProperty IoSizeProperty = new("iosize", 2, 1, 4, "Width of the port in bytes (1, 2 or 4)");

    public static new readonly ObjectType TypeInfo = new("isa-debug-exit", Device.TypeInfo, t => new IsaDebugExit(t), "Exit the VMM with a status written by the guest",
        new PropertyInfo[] { IoBaseProperty, IoSizeProperty }, userCreatable: true);

    private MemoryRegion? _region;

    public IsaDebugExit(ObjectType type) : base(type)
    {
    }

    protected override void OnCheckConfiguration(Machine machine) => PortSize();

    private ulong PortSize()
    {
        long size = Get(IoSizeProperty);
        if (size is not (1 or 2 or 4))
            throw new MachineConfigurationException($"isa-debug-exit: iosize must be 1, 2 or 4, not {size}");
        return (ulong)size;
    }

    protected override void OnRealize(Machine machine)
    {
        _region = MemoryRegion.CreateIo("isa-debug-exit", PortSize(), this);
        machine.IoPorts.Root.AddSubregion(_region, (ulong)Get(IoBaseProperty));
    }

    protected override void OnUnrealize()
    {
        if (_region != null)
            Machine!.IoPorts.Root.RemoveSubregion(_region);
    }

    public void Read(ulong offset, Span<byte> data) => data.Fill(0xFF);

    // A port with no state: it migrates as an empty section.
    public override string? MigrationBlocker => null;

    public override void SaveState(Core.Migration.StateWriter state)
    {
    }

    public override void LoadState(Core.Migration.StateReader state)
    {
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        Span<byte> value = stackalloc byte[8];
        value.Clear();
        data.Slice(0, Math.Min(data.Length, 8)).CopyTo(value);
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(value);
        int status = (int)(((v << 1) | 1) & 0xFF);
        Machine?.RequestShutdown(new MachineExit(ShutdownCause.DebugExit, status, $"guest wrote 0x{v:x} to isa-debug-exit"));
    }
}
