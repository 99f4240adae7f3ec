using System.Buffers.Binary;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>
/// MSI-X (PCI Local Bus 3.0, section 6.8.2): the capability registers in
/// configuration space, the vector table and the pending bit array (PBA)
/// that live in a memory BAR, and the delivery of vectors through a
/// <see cref="MsiVectorRouter"/>.
///
/// Capability: +2 Message Control (bits 10:0 table size - 1, bit 14 Function
/// Mask, bit 15 MSI-X Enable), +4 table offset | BIR, +8 PBA offset | BIR.
/// Table entry (16 bytes): message address low (bits 1:0 zero), high, data,
/// vector control (bit 0 Mask, set at reset). PBA: one bit per vector, read-only.
///
/// A device maps <see cref="TableHandler"/> and <see cref="PbaHandler"/> into
/// its BAR(s) and raises vectors with <see cref="Notify"/>: a vector that is
/// masked (or whose function is masked) becomes pending and is delivered when
/// unmasked, as the specification requires.
/// </summary>
public sealed partial class MsixCapability : PciCapability, IDisposable
{
    public const int EntrySize = 16;
    private const int ControlOffset = 2, TableOffsetRegister = 4, PbaOffsetRegister = 8;
    private const ushort ControlEnable = 1 << 15, ControlFunctionMask = 1 << 14;
    private const uint VectorMasked = 1;

    private readonly uint[] _table;
    private readonly ulong[] _pending;
    private readonly object _lock = new();
    private volatile bool _enabled;
    private volatile bool _functionMasked;

    /// <param name="vectorCount">Table size, 1 to 2048 entries.</param>
    /// <param name="tableBar">BAR index holding the table; <paramref name="tableOffset"/> 8-byte aligned within it.</param>
    /// <param name="pbaBar">BAR index holding the PBA; <paramref name="pbaOffset"/> 8-byte aligned within it.</param>
    /// <param name="router">Where vectors are delivered; the capability owns it.</param>
    public MsixCapability(int vectorCount, int tableBar, uint tableOffset, int pbaBar, uint pbaOffset, MsiVectorRouter router)
    {
        if (vectorCount is < 1 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(vectorCount));
        if (tableBar is < 0 or > 5 || pbaBar is < 0 or > 5 || (tableOffset & 7) != 0 || (pbaOffset & 7) != 0)
            throw new ArgumentOutOfRangeException(nameof(tableOffset), "MSI-X table and PBA need a BAR index 0-5 and 8-byte aligned offsets");
        if (router.Count < vectorCount)
            throw new ArgumentException("the router has fewer vectors than the table", nameof(router));
        VectorCount = vectorCount;
        TableBar = tableBar;
        TableOffset = tableOffset;
        PbaBar = pbaBar;
        PbaOffset = pbaOffset;
        Router = router;
        _table = new uint[vectorCount * 4];
        _pending = new ulong[(vectorCount + 63) / 64];
        TableHandler = new MsixTableHandler(this);
        PbaHandler = new MsixPbaHandler(this);
        ResetTable();
    }

    public override byte Id => PciCapabilityId.MsiX;

    public override int Length => 12;

    public int VectorCount { get; }

    public int TableBar { get; }

    public uint TableOffset { get; }

    public int PbaBar { get; }

    public uint PbaOffset { get; }

    /// <summary>Bytes the table occupies in its BAR.</summary>
    public int TableSize => VectorCount * EntrySize;

    /// <summary>Bytes the PBA occupies in its BAR (whole qwords).</summary>
    public int PbaSize => _pending.Length * 8;

    public MsiVectorRouter Router { get; }

    /// <summary>MSI-X Enable is set: the function signals with the table's messages (and not INTx).</summary>
    public bool Enabled => _enabled;

    public bool FunctionMasked => _functionMasked;

    /// <summary>Serves the vector table (map it at <see cref="TableOffset"/> of BAR <see cref="TableBar"/>).</summary>
    public IIoHandler TableHandler { get; }

    /// <summary>Serves the PBA (map it at <see cref="PbaOffset"/> of BAR <see cref="PbaBar"/>).</summary>
    public IIoHandler PbaHandler { get; }

    /// <summary>
    /// Called (on a configuration path, with the table lock held) after the
    /// effective state of a vector changed: enabled, masked or its message.
    /// -1 means all vectors. For passthrough models that mirror the state.
    /// </summary>
    public Action<int>? VectorChanged { get; set; }

    /// <summary>The message of table entry <paramref name="vector"/>.</summary>
    public MsiMessage MessageOf(int vector)
    {
        int i = vector * 4;
        return new MsiMessage(Volatile.Read(ref _table[i]) | ((ulong)Volatile.Read(ref _table[i + 1]) << 32), Volatile.Read(ref _table[i + 2]));
    }

    public bool IsMasked(int vector) => (Volatile.Read(ref _table[vector * 4 + 3]) & VectorMasked) != 0;

    public bool IsPending(int vector) => (Volatile.Read(ref _pending[vector >> 6]) & (1UL << (vector & 63))) != 0;

    /// <summary>
    /// Raises <paramref name="vector"/>: delivered now if MSI-X is enabled
    /// and neither the function nor the vector is masked, otherwise left
    /// pending in the PBA. Returns true when delivered. Allocation-free.
    /// </summary>
    public bool Notify(int vector)
    {
        if ((uint)vector >= (uint)VectorCount || !_enabled)
            return false;
        if (_functionMasked || IsMasked(vector))
        {
            Interlocked.Or(ref _pending[vector >> 6], 1UL << (vector & 63));
            // The guest may have unmasked in between: deliver what is now deliverable.
            if (!_functionMasked && !IsMasked(vector))
                DeliverPending(vector);
            return false;
        }
        return Router.Fire(vector);
    }

    protected override void Install(PciConfigSpace config)
    {
        config.SetWord(Offset + ControlOffset, (ushort)(VectorCount - 1));
        config.SetDword(Offset + TableOffsetRegister, TableOffset | (uint)TableBar);
        config.SetDword(Offset + PbaOffsetRegister, PbaOffset | (uint)PbaBar);
        config.SetWritable(Offset + ControlOffset, 2, ControlEnable | ControlFunctionMask);
    }

    protected internal override void ConfigWritten(PciConfigSpace config, int offset, int length)
    {
        if (!Touches(offset, length, ControlOffset, 2))
            return;
        ushort control = config.GetWord(Offset + ControlOffset);
        lock (_lock)
        {
            bool enabled = (control & ControlEnable) != 0;
            bool masked = (control & ControlFunctionMask) != 0;
            if (enabled == _enabled && masked == _functionMasked)
                return;
            _enabled = enabled;
            _functionMasked = masked;
            for (int v = 0; v < VectorCount; v++)
                SyncVector(v);
            // Disabled: the vectors' GSIs go back to the controller (masking keeps them).
            if (!enabled)
                Router.DeactivateAll();
            VectorChanged?.Invoke(-1);
        }
    }

    protected internal override void Reset(PciConfigSpace config)
    {
        config.SetWord(Offset + ControlOffset, (ushort)(VectorCount - 1));
        lock (_lock)
        {
            _enabled = false;
            _functionMasked = false;
            ResetTable();
            Router.DeactivateAll();
            VectorChanged?.Invoke(-1);
        }
    }

    private void ResetTable()
    {
        Array.Clear(_table);
        for (int v = 0; v < VectorCount; v++)
            _table[v * 4 + 3] = VectorMasked;
        Array.Clear(_pending);
    }

    // Brings the router in line with the vector's state; delivers it if it was pending.
    private void SyncVector(int vector)
    {
        bool active = _enabled && !_functionMasked && !IsMasked(vector);
        Router.Update(vector, MessageOf(vector), active);
        if (active)
            DeliverPending(vector);
    }

    private void DeliverPending(int vector)
    {
        ulong bit = 1UL << (vector & 63);
        ulong before = Interlocked.And(ref _pending[vector >> 6], ~bit);
        if ((before & bit) != 0)
            Router.Fire(vector);
    }

    /// <summary>A table read at <paramref name="offset"/> from the table's start (aligned 4 or 8 bytes; anything else reads 0).</summary>
    public void ReadTable(ulong offset, Span<byte> data)
    {
        if (!IsInside(offset, data.Length, TableSize))
        {
            data.Clear();
            return;
        }
        int index = (int)(offset / 4);
        for (int i = 0; i < data.Length / 4; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(data.Slice(i * 4), Volatile.Read(ref _table[index + i]));
    }

    /// <summary>A table write (aligned 4 or 8 bytes; anything else is ignored).</summary>
    public void WriteTable(ulong offset, ReadOnlySpan<byte> data)
    {
        if (!IsInside(offset, data.Length, TableSize))
            return;
        int index = (int)(offset / 4);
        lock (_lock)
        {
            for (int i = 0; i < data.Length / 4; i++)
            {
                int dword = index + i;
                uint value = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4));
                switch (dword & 3)
                {
                    case 0:
                        value &= ~3u; // the address is dword aligned
                        break;
                    case 3:
                        value &= VectorMasked; // other vector control bits are reserved
                        break;
                }
                Volatile.Write(ref _table[dword], value);
            }
            int first = index / 4, last = (index + data.Length / 4 - 1) / 4;
            for (int v = first; v <= last; v++)
            {
                SyncVector(v);
                VectorChanged?.Invoke(v);
            }
        }
    }

    /// <summary>
    /// A PBA read (aligned 4 or 8 bytes). Writes to the PBA are ignored. A
    /// vector fired by the VMM while masked is pending here; so is a masked
    /// passthrough vector whose VFIO eventfd has been signalled meanwhile.
    /// </summary>
    public void ReadPba(ulong offset, Span<byte> data)
    {
        if (!IsInside(offset, data.Length, PbaSize))
        {
            data.Clear();
            return;
        }
        int first = (int)(offset / 8) * 64;
        ulong word = Volatile.Read(ref _pending[offset / 8]);
        for (int v = first; v < first + 64 && v < VectorCount; v++)
        {
            if ((_functionMasked || IsMasked(v)) && Router.IsExternalPending(v))
                word |= 1UL << (v - first);
        }
        if (data.Length == 8)
            BinaryPrimitives.WriteUInt64LittleEndian(data, word);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)(word >> (int)(8 * (offset & 4))));
    }

    // "For all accesses to MSI-X Table and MSI-X PBA fields, software must use
    // aligned full DWORD or aligned full QWORD transactions" (section 6.8.2).
    private static bool IsAlignedDwordOrQword(ulong offset, int length) =>
        (length == 4 || length == 8) && (offset & (ulong)(length - 1)) == 0;

    // An aligned dword or qword wholly inside a structure of `size` bytes
    // (size >= 8). Compared as offset <= size - length so that an offset near
    // 2^64 cannot wrap around to look inside.
    private static bool IsInside(ulong offset, int length, int size) =>
        IsAlignedDwordOrQword(offset, length) && offset <= (ulong)(size - length);

    public void Dispose() => Router.Dispose();
}
