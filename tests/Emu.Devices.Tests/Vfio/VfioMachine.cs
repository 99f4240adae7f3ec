using System.Buffers.Binary;
using Emu.Core.Machines;
using Emu.Devices.Pc;
using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

/// <summary>A q35 machine without vCPUs, on the recording accelerator, whose vfio-pci devices talk to a <see cref="FakeVfioKernel"/>.</summary>
internal sealed class VfioMachine : IDisposable
{
    public VfioMachine(FakeVfioKernel kernel)
    {
        Kernel = kernel;
        var registry = DeviceCatalog.CreateRegistry();
        Machine = (Q35Machine)registry.Find("q35")!.CreateInstance();
        Machine.RamSize = 64UL << 20;
        Machine.Initialize(Accelerator);
    }

    public FakeVfioKernel Kernel { get; }

    public VfioTestAccelerator Accelerator { get; } = new();

    public Q35Machine Machine { get; }

    public RecordingVfioVm Vm => Accelerator.Vm!;

    /// <summary>Adds -device vfio-pci with host=<paramref name="host"/>, or sysfsdev= when it is a path.</summary>
    public VfioPciDevice Add(string host, string? iommufd = null, string? id = null)
    {
        var device = (VfioPciDevice)VfioPciDevice.TypeInfo.CreateInstance();
        device.Syscalls = Kernel;
        if (host.StartsWith('/'))
            device.SetText("sysfsdev", host);
        else
            device.SetText("host", host);
        if (iommufd != null)
            device.SetText("iommufd", iommufd);
        device.Id = id;
        Machine.AddDevice(device);
        return device;
    }

    public IommufdBackend AddIommufd(string id)
    {
        var backend = (IommufdBackend)IommufdBackend.TypeInfo.CreateInstance();
        backend.Id = id;
        backend.Syscalls = Kernel;
        Machine.RegisterBackend(id, backend);
        Machine.Own(backend);
        return backend;
    }

    public uint Cfg(VfioPciDevice d, int offset, int length) => Machine.PciBus.ReadConfig(0, d.Address.DevFn, offset, length);

    public void Cfg(VfioPciDevice d, int offset, int length, uint value) => Machine.PciBus.WriteConfig(0, d.Address.DevFn, offset, length, value);

    public ulong Read(ulong address, int size)
    {
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        Machine.SystemMemory.Read(address, b.Slice(0, size));
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void Write(ulong address, int size, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Machine.SystemMemory.Write(address, b.Slice(0, size));
    }

    public void Dispose() => Machine.Dispose();
}
