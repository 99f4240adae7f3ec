using System.Buffers.Binary;
using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Virtio;
using Emu.Devices.Virtio;

namespace Emu.Devices.Tests.Migration;

/// <summary>
/// A virtio-pci function of a <see cref="Q35TestVm"/> driven as a driver
/// does: memory decoding and bus mastering on, BAR 4's common configuration,
/// queue 0's rings at 1 MiB, notifications through the notify region, and
/// virtio-blk requests whose headers and status bytes sit at 2 MiB.
/// </summary>
internal sealed class VirtioFunctionDriver
{
    private const int Common = 0x0000, Notify = 0x3000, StatusRegister = Common + 0x14;
    private readonly Q35Machine _machine;
    private readonly int _devFn;

    public VirtioFunctionDriver(Q35Machine machine, VirtioPciDevice device)
    {
        _machine = machine;
        _devFn = device.Address.DevFn;
        machine.PciBus.WriteConfig(0, _devFn, PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandBusMaster);
        Bar = device.Bars[VirtioPciDevice.RegisterBar]!.MappedAddress!.Value;
    }

    public ulong Bar { get; }

    public GuestMemory Ram => _machine.Ram;

    public byte Status => (byte)Read(StatusRegister, 1);

    public ulong Read(int offset, int size)
    {
        Span<byte> b = stackalloc byte[8];
        _machine.SystemMemory.Read(Bar + (ulong)offset, b.Slice(0, size));
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void Write(int offset, int size, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _machine.SystemMemory.Write(Bar + (ulong)offset, b.Slice(0, size));
    }

    /// <summary>VERSION_1 and EVENT_IDX negotiated, queue 0 of <paramref name="size"/> at 1 MiB (no vector: INTx), DRIVER_OK.</summary>
    public QueueDriver Activate(ushort size = 16)
    {
        ulong features = VirtioFeatures.Version1 | VirtioFeatures.EventIdx;
        Write(StatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver);
        Write(Common + 0x08, 4, 0);
        Write(Common + 0x0C, 4, (uint)features);
        Write(Common + 0x08, 4, 1);
        Write(Common + 0x0C, 4, (uint)(features >> 32));
        Write(StatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk);
        var queue = new QueueDriver(Ram, 0x100000, size);
        Write(Common + 0x16, 2, 0);
        Write(Common + 0x18, 2, size);
        Write(Common + 0x20, 8, queue.Base);
        Write(Common + 0x28, 8, queue.Avail);
        Write(Common + 0x30, 8, queue.Used);
        Write(Common + 0x1C, 2, 1);
        Write(StatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);
        if (Status != (VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk))
            throw new InvalidOperationException($"the device did not accept the driver (status 0x{Status:x2})");
        return queue;
    }

    /// <summary>
    /// Makes a virtio-blk request available in slot <paramref name="slot"/>
    /// (descriptors 3 x slot ..): header, a 512-byte data buffer at
    /// <paramref name="data"/>, the status byte; a write of the buffer's bytes
    /// to <paramref name="sector"/>, or a read into it. Notifies when asked.
    /// </summary>
    public void SubmitBlock(QueueDriver queue, int slot, bool write, ulong sector, ulong data, bool notify = true)
    {
        ulong header = 0x200000 + 32UL * (ulong)slot;
        Ram.Write(new GuestAddress(header), write ? 1u : 0u); // VIRTIO_BLK_T_OUT / T_IN
        Ram.Write(new GuestAddress(header + 4), 0u);
        Ram.Write(new GuestAddress(header + 8), sector);
        Ram.Write(new GuestAddress(header + 16), (byte)0xFF);
        int d = 3 * slot;
        queue.SetDescriptor(d, header, 16, VirtqDescriptor.FlagNext, (ushort)(d + 1));
        queue.SetDescriptor(d + 1, data, 512, (ushort)(VirtqDescriptor.FlagNext | (write ? 0 : VirtqDescriptor.FlagWrite)), (ushort)(d + 2));
        queue.SetDescriptor(d + 2, header + 16, 1, VirtqDescriptor.FlagWrite);
        queue.Publish((ushort)d);
        if (notify)
            Write(Notify, 2, 0);
    }

    /// <summary>The status byte of slot <paramref name="slot"/>'s request (0xFF until the device answers).</summary>
    public byte BlockStatus(int slot) => Ram.Read<byte>(new GuestAddress(0x200000 + 32UL * (ulong)slot + 16));

    public void WaitForUsed(QueueDriver queue, ushort index) =>
        VirtioPciRig.WaitFor(() => queue.UsedIndex == index, $"the used index reaches {index}");
}
