using System.Numerics;
using Emu.Core.Interrupts;

namespace Emu.Core.Pci;

/// <summary>
/// MSI (PCI Local Bus 3.0, section 6.8.1), the 64-bit layout with per-vector
/// masking: +2 Message Control (bit 0 MSI Enable, bits 3:1 Multiple Message
/// Capable, 6:4 Multiple Message Enable, bit 7 64-bit capable, bit 8
/// per-vector masking capable), +4 message address (bits 1:0 zero), +8 upper
/// address, +12 message data (16 bits), +16 mask bits, +20 pending bits.
/// With 2^k vectors enabled, vector i sends the data with its low k bits replaced by i.
/// </summary>
public sealed partial class MsiCapability : PciCapability, IDisposable
{
    private const int ControlOffset = 2, AddressOffset = 4, UpperAddressOffset = 8, DataOffset = 12, MaskOffset = 16, PendingOffset = 20;
    private const ushort ControlEnable = 1, Control64Bit = 1 << 7, ControlPerVectorMask = 1 << 8;

    private volatile bool _enabled;
    private volatile int _allocated;
    private uint _mask;
    private uint _pendingBits;

    /// <param name="vectorCount">Vectors requested: 1, 2, 4, 8, 16 or 32.</param>
    /// <param name="router">Where vectors are delivered; the capability owns it.</param>
    public MsiCapability(int vectorCount, MsiVectorRouter router)
    {
        if (vectorCount is < 1 or > 32 || !BitOperations.IsPow2(vectorCount))
            throw new ArgumentOutOfRangeException(nameof(vectorCount), "MSI offers 1, 2, 4, 8, 16 or 32 vectors");
        if (router.Count < vectorCount)
            throw new ArgumentException("the router has fewer vectors than the capability", nameof(router));
        VectorCount = vectorCount;
        Router = router;
    }

    public override byte Id => PciCapabilityId.Msi;

    public override int Length => 24;

    /// <summary>Vectors the function can use (Multiple Message Capable).</summary>
    public int VectorCount { get; }

    public MsiVectorRouter Router { get; }

    public bool Enabled => _enabled;

    /// <summary>Vectors the guest enabled (Multiple Message Enable), 0 while MSI is off.</summary>
    public int AllocatedVectors => _enabled ? _allocated : 0;

    /// <summary>Called on a configuration path after the capability's state changed (passthrough models mirror it).</summary>
    public Action? StateChanged { get; set; }

    private ushort CapableBits => (ushort)(BitOperations.Log2((uint)VectorCount) << 1);

    /// <summary>
    /// Raises <paramref name="vector"/>: delivered if MSI is enabled, the
    /// vector allocated and unmasked; a masked vector becomes pending and is
    /// delivered when unmasked. Returns true when delivered.
    /// </summary>
    public bool Notify(int vector)
    {
        if (!_enabled || (uint)vector >= (uint)_allocated)
            return false;
        uint bit = 1u << vector;
        if ((Volatile.Read(ref _mask) & bit) != 0)
        {
            // Pending, without the config lock (a worker must never wait for
            // it). If the guest unmasked meanwhile, whoever clears the bit
            // first delivers it: this thread or the config write's.
            Interlocked.Or(ref _pendingBits, bit);
            if ((Volatile.Read(ref _mask) & bit) != 0 || (Interlocked.And(ref _pendingBits, ~bit) & bit) == 0)
                return false;
        }
        return Router.Fire(vector);
    }

    protected override void Install(PciConfigSpace config)
    {
        config.SetWord(Offset + ControlOffset, (ushort)(Control64Bit | ControlPerVectorMask | CapableBits));
        config.SetWritable(Offset + ControlOffset, 2, ControlEnable | 0x70);
        config.SetWritable(Offset + AddressOffset, 4, 0xFFFF_FFFC);
        config.SetWritable(Offset + UpperAddressOffset, 4, 0xFFFF_FFFF);
        config.SetWritable(Offset + DataOffset, 2, 0xFFFF);
        config.SetWritable(Offset + MaskOffset, 4, VectorCount == 32 ? 0xFFFF_FFFF : (1u << VectorCount) - 1);
    }

    protected internal override void ConfigWritten(PciConfigSpace config, int offset, int length)
    {
        ushort control = config.GetWord(Offset + ControlOffset);
        // The guest may ask for more vectors than offered: it gets what is offered.
        int requested = 1 << Math.Min((control >> 4) & 7, BitOperations.Log2((uint)VectorCount));
        _allocated = requested;
        _enabled = (control & ControlEnable) != 0;
        uint previousMask = _mask;
        Volatile.Write(ref _mask, config.GetDword(Offset + MaskOffset));
        ulong address = config.GetDword(Offset + AddressOffset) | ((ulong)config.GetDword(Offset + UpperAddressOffset) << 32);
        uint data = config.GetWord(Offset + DataOffset);
        for (int v = 0; v < VectorCount; v++)
        {
            bool active = _enabled && v < requested && (_mask & (1u << v)) == 0;
            uint vectorData = (data & ~(uint)(requested - 1)) | (uint)v;
            Router.Update(v, new MsiMessage(address, vectorData), active);
            uint bit = 1u << v;
            if (active && (previousMask & bit) != 0 && (Interlocked.And(ref _pendingBits, ~bit) & bit) != 0)
                Router.Fire(v);
        }
        // Disabled: the vectors' GSIs go back to the controller (masking keeps them).
        if (!_enabled)
            Router.DeactivateAll();
        StateChanged?.Invoke();
    }

    // The pending bits live outside config space (workers set them): reads of +20 see them.
    protected internal override uint ComposeRead(int offset, int length, uint value)
    {
        uint pending = Volatile.Read(ref _pendingBits);
        // A masked passthrough vector is pending while its VFIO eventfd holds a count.
        uint mask = Volatile.Read(ref _mask);
        for (int v = 0; v < VectorCount; v++)
        {
            if ((mask & (1u << v)) != 0 && Router.IsExternalPending(v))
                pending |= 1u << v;
        }
        for (int i = 0; i < length; i++)
        {
            int register = offset + i - (Offset + PendingOffset);
            if (register is >= 0 and < 4)
                value |= ((pending >> (8 * register)) & 0xFF) << (8 * i);
        }
        return value;
    }

    protected internal override void Reset(PciConfigSpace config)
    {
        config.SetWord(Offset + ControlOffset, (ushort)(Control64Bit | ControlPerVectorMask | CapableBits));
        config.SetDword(Offset + AddressOffset, 0);
        config.SetDword(Offset + UpperAddressOffset, 0);
        config.SetWord(Offset + DataOffset, 0);
        config.SetDword(Offset + MaskOffset, 0);
        config.SetDword(Offset + PendingOffset, 0);
        _enabled = false;
        _allocated = 0;
        Volatile.Write(ref _mask, 0);
        Interlocked.Exchange(ref _pendingBits, 0);
        Router.DeactivateAll();
        StateChanged?.Invoke();
    }

    public void Dispose() => Router.Dispose();
}
