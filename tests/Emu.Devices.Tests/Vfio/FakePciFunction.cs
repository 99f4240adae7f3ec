using System.Buffers.Binary;
using Emu.Core.Posix;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// A simulated host PCI function as vfio-pci would present it: an NVMe-like
/// function (1b36:0010, class 010802) with a 16 KiB 64-bit BAR0 holding its
/// registers, the MSI-X table at 0x2000 and the PBA at 0x3000, a 32-byte I/O
/// BAR2, and a capability list MSI-X (0x40) -> power management (0x60).
/// The "device fd" is a memfd: region i lives at offset i MiB, so pread,
/// pwrite and mmap by the code under test work exactly as on the real fd,
/// and what the guest writes can be read back from the device side.
/// </summary>
internal sealed class FakePciFunction : IDisposable
{
    public const ulong RegionStride = 1 << 20;
    public const int MsixVectors = 16;
    public const uint MsixTableOffset = 0x2000, MsixPbaOffset = 0x3000;

    /// <summary>The function's VFIO migration support (null: none, as most drivers).</summary>
    public FakeMigrationDevice? Migration { get; set; }

    public FakePciFunction(string name = "0000:01:00.0", int group = 7)
    {
        Name = name;
        Group = group;
        int fd = LibC.memfd_create("fake-vfio-" + name, LibC.MFD_CLOEXEC);
        if (fd < 0)
            Sys.Throw("memfd_create");
        Memory = new FileDescriptor(fd);
        Sys.Check(LibC.ftruncate(fd, (long)(8 * RegionStride)), "ftruncate");
        BarSizes[0] = 0x4000;
        BarSizes[2] = 0x20;
        byte[] c = new byte[256];
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x00), 0x1b36);
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x02), 0x0010);
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x06), 0x0010); // status: capability list
        c[0x08] = 0x02;
        c[0x09] = 0x02;
        c[0x0A] = 0x08;
        c[0x0B] = 0x01;
        c[0x0E] = 0x80; // multi-function on the host
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(0x10), 0xFEB0_0004); // BAR0: 64-bit memory, host address
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(0x18), 0x0000_C001); // BAR2: I/O
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x2C), 0x1af4);
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x2E), 0x1100);
        c[0x34] = 0x40;
        c[0x3C] = 11;
        c[0x3D] = 1;
        // MSI-X: 16 vectors, table BAR0+0x2000, PBA BAR0+0x3000.
        c[0x40] = 0x11;
        c[0x41] = 0x60;
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x42), MsixVectors - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(0x44), MsixTableOffset | 0);
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(0x48), MsixPbaOffset | 0);
        // Power management, passed through.
        c[0x60] = 0x01;
        c[0x61] = 0x00;
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x62), 0x0003);
        InitialConfig = c;
        WriteRegion(VfioConstants.PciConfigRegionIndex, 0, c);
    }

    public string Name { get; }

    public int Group { get; }

    public FileDescriptor Memory { get; }

    public byte[] InitialConfig { get; }

    /// <summary>Sizes of regions 0-6 (BARs and ROM); 0 = absent.</summary>
    public ulong[] BarSizes { get; } = new ulong[7];

    /// <summary>The kernel's sparse mmap areas for BAR0: everything but the MSI-X table page.</summary>
    public List<VfioArea> Bar0SparseAreas { get; } = new() { new VfioArea(0, 0x2000), new VfioArea(0x3000, 0x1000) };

    public uint DeviceFlags { get; set; } = VfioDeviceInfo.FlagPci | VfioDeviceInfo.FlagReset;

    public uint MsiCount { get; set; }

    public uint MsixCount { get; set; } = MsixVectors;

    public bool OmitSparseCapability { get; set; }

    /// <summary>
    /// Appends an MSI capability at 0x70 after power management: the 24-byte layout
    /// (64-bit, per-vector masking, <paramref name="vectors"/> vectors) when
    /// <paramref name="full"/>, otherwise the 10-byte 32-bit one.
    /// </summary>
    public void AddMsi(bool full, int vectors = 4)
    {
        byte[] c = ReadRegion(VfioConstants.PciConfigRegionIndex, 0, 256);
        c[0x61] = 0x70;
        c[0x70] = 0x05;
        c[0x71] = 0x00;
        ushort control = (ushort)(System.Numerics.BitOperations.Log2((uint)vectors) << 1);
        if (full)
            control |= (1 << 7) | (1 << 8);
        BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(0x72), control);
        WriteRegion(VfioConstants.PciConfigRegionIndex, 0, c);
        c.CopyTo(InitialConfig, 0);
        MsiCount = (uint)vectors;
    }

    public static long RegionOffset(uint index) => (long)(index * RegionStride);

    public void WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data) =>
        Sys.PwriteExact(Memory, data, RegionOffset(index) + (long)offset, "fake pwrite");

    public byte[] ReadRegion(uint index, ulong offset, int length)
    {
        byte[] data = new byte[length];
        Sys.PreadExact(Memory, data, RegionOffset(index) + (long)offset, "fake pread");
        return data;
    }

    public uint ConfigDword(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(ReadRegion(VfioConstants.PciConfigRegionIndex, (ulong)offset, 4));

    public void Dispose() => Memory.Dispose();
}
