using System.Buffers.Binary;
using System.Text;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Devices.FwCfg;

/// <summary>
/// QEMU's firmware configuration interface on x86 I/O ports: a 16-bit write
/// to the selector port (0x510) picks an item, byte reads from the data port
/// (0x511) return its contents in order, zeros past the end. Item 0x0000 is
/// the signature "QEMU", 0x0001 the feature bitmap (bit 0: this port
/// interface), 0x0019 the directory of named files, big-endian:
/// u32 count, then per file {u32 size, u16 select, u16 reserved, char name[56]}.
/// Only reading is supported; the DMA interface is not offered.
/// </summary>
public sealed partial class FwCfgDevice : Device, IIoHandler
{
    public const ushort Signature = 0x0000;
    public const ushort FeatureBitmap = 0x0001;
    public const ushort RamSize = 0x0003;
    public const ushort NumberOfCpus = 0x0005;
    public const ushort MaxCpus = 0x000F;
    public const ushort FileDirectory = 0x0019;
    public const ushort FirstFile = 0x0020;
    public const int MaxNameLength = 55;
    public const ushort DefaultIoBase = 0x510;

    public static new readonly ObjectType TypeInfo = new("fw_cfg_io", Device.TypeInfo, t => new FwCfgDevice(t), "QEMU firmware configuration interface (I/O ports)");

    private readonly object _lock = new();
    private readonly Dictionary<ushort, byte[]> _items = new();
    private readonly List<(string Name, ushort Selector)> _files = new();
    private byte[] _current = Array.Empty<byte>();
    private int _position;
    private int _selector = -1; // -1: none since reset
    private MemoryRegion? _region;

    public FwCfgDevice(ObjectType type) : base(type)
    {
        _items[Signature] = "QEMU"u8.ToArray();
        _items[FeatureBitmap] = BitConverter.GetBytes(1u);
        RebuildDirectory();
    }

    /// <summary>Names of the files offered, in selector order.</summary>
    public IEnumerable<string> FileNames => _files.Select(f => f.Name);

    public void SetItem(ushort selector, byte[] data)
    {
        lock (_lock)
            _items[selector] = data;
    }

    /// <summary>Adds a named file (names up to 55 bytes, e.g. "opt/emu/mode"); a name may be given once.</summary>
    public void AddFile(string name, byte[] data)
    {
        CheckFileName(name);
        lock (_lock)
        {
            if (_files.Any(f => f.Name == name))
                throw new MachineConfigurationException($"fw_cfg: duplicate file name '{name}'");
            ushort selector = (ushort)(FirstFile + _files.Count);
            _files.Add((name, selector));
            _items[selector] = data;
            RebuildDirectory();
        }
    }

    /// <summary>A file name fits the directory entry's name field (1 to 55 bytes and a NUL).</summary>
    public static void CheckFileName(string name)
    {
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > MaxNameLength)
            throw new MachineConfigurationException($"fw_cfg: file name '{name}' must be 1 to {MaxNameLength} bytes");
    }

    private void RebuildDirectory()
    {
        byte[] dir = new byte[4 + _files.Count * 64];
        BinaryPrimitives.WriteUInt32BigEndian(dir, (uint)_files.Count);
        // Entries sorted by name, as QEMU lists them.
        int i = 0;
        foreach ((string name, ushort selector) in _files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            Span<byte> entry = dir.AsSpan(4 + i * 64, 64);
            BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)_items[selector].Length);
            BinaryPrimitives.WriteUInt16BigEndian(entry.Slice(4), selector);
            Encoding.UTF8.GetBytes(name, entry.Slice(8));
            i++;
        }
        _items[FileDirectory] = dir;
    }

    protected override void OnRealize(Machine machine)
    {
        SetItem(NumberOfCpus, BitConverter.GetBytes((ushort)machine.CpuCount));
        SetItem(MaxCpus, BitConverter.GetBytes((ushort)machine.CpuCount));
        SetItem(RamSize, BitConverter.GetBytes(machine.RamSize));
        _region = MemoryRegion.CreateIo("fw_cfg", 2, this);
        machine.IoPorts.Root.AddSubregion(_region, DefaultIoBase);
    }

    protected override void OnUnrealize()
    {
        if (_region != null)
            Machine!.IoPorts.Root.RemoveSubregion(_region);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        if (offset != 1)
        {
            data.Fill(0xFF);
            return;
        }
        lock (_lock)
        {
            // Each byte of a wider read advances through the item.
            for (int i = 0; i < data.Length; i++)
                data[i] = _position < _current.Length ? _current[_position++] : (byte)0;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset != 0 || data.Length != 2)
            return;
        ushort selector = BinaryPrimitives.ReadUInt16LittleEndian(data);
        lock (_lock)
        {
            // Bit 14 marks a write selector and bit 15 an architecture-specific
            // item; neither is offered, so they select nothing.
            _current = _items.GetValueOrDefault(selector) ?? Array.Empty<byte>();
            _position = 0;
            _selector = selector;
        }
    }

    public override void Reset()
    {
        lock (_lock)
        {
            _current = Array.Empty<byte>();
            _position = 0;
            _selector = -1;
        }
    }
}
