using System.Buffers.Binary;
using CsCheck;
using Emu.Devices.Block;
using Emu.Devices.Tests.Virtio;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using Emu.Tests.Fuzz;

namespace Emu.Devices.Tests.Fuzz;

/// <summary>
/// A hostile driver on a split virtqueue of virtio-blk: random descriptor
/// tables (addresses, lengths, flags, next links, indirect tables, loops),
/// random request headers and avail indexes. The device either completes
/// requests or enters its error state (DEVICE_NEEDS_RESET); nothing throws,
/// and a used length never exceeds what the chain offered.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class VirtioBlockFuzzTests
{
    private const ushort Size = 16;

    private record struct Desc(ulong Address, uint Length, ushort Flags, ushort Next);

    private static readonly Gen<Desc> s_desc = Gen.Select(
        Gen.OneOf(Gen.ULong[0x100000, 0x110000], Gen.ULong, Gen.ULong[GuestRam.Size - 64, GuestRam.Size + 64]),
        Gen.OneOf(Gen.UInt[0, 4096], Gen.UInt, Gen.Const(16u), Gen.Const(1u)),
        Gen.UShort[0, 7],
        Gen.UShort[0, Size + 2],
        (a, l, f, n) => new Desc(a, l, f, n));

    [Fact]
    public void RandomChainsCompleteOrFailTheDeviceNeverTheVmm()
    {
        Gen.Select(s_desc.Array[Size], Gen.Select(Gen.UInt[0, 12], Gen.ULong[0, 4096]).Array[1, 4], Gen.UShort[0, Size - 1].Array[1, 4], Gen.UShort)
            .Sample((descriptors, headers, heads, availIndex) =>
        {
            using var ram = new GuestRam();
            var transport = new RecordingTransport();
            using var disk = new MemoryBlockBackend(1 << 20);
            using var device = new VirtioBlockDevice(disk, "fuzz", queueSize: 256);
            device.Attach(transport, ram.Memory);
            var driver = new QueueDriver(ram.Memory, 0x10000, Size);
            Assert.True(driver.Configure(device.Queues[0], VirtioFeatures.Transport));
            device.Activate(VirtioFeatures.Transport);
            for (int i = 0; i < descriptors.Length; i++)
                driver.SetDescriptor(i, descriptors[i].Address, descriptors[i].Length, descriptors[i].Flags, descriptors[i].Next);
            // Request headers where the in-range descriptors point.
            for (int i = 0; i < headers.Length; i++)
            {
                Span<byte> h = ram.Bytes(0x100000 + (ulong)i * 0x1000, 16);
                BinaryPrimitives.WriteUInt32LittleEndian(h, headers[i].Item1);
                BinaryPrimitives.WriteUInt64LittleEndian(h.Slice(8), headers[i].Item2);
            }
            foreach (ushort head in heads)
                driver.Publish(head);
            if (availIndex % 4 == 0)
                driver.SetAvailIndex(availIndex); // a driver that lies about how many it published
            device.ProcessQueue(0);
            while (driver.TakeUsed() is { } used)
                Assert.True(used.Length <= (ulong)descriptors.Sum(d => (long)d.Length) + 1 || descriptors.Any(d => (d.Flags & VirtqDescriptor.FlagIndirect) != 0));
        }, iter: FuzzBudget.Iterations(3000), time: FuzzBudget.Seconds, threads: 1);
    }
}
