using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// Issue 15, item 4: devices of one IOMMU group come and go on different
// threads (QMP's device_add, the machine's removal path); the group backend's
// shared state (groups, their users, the container and its DMA listener) must
// stay consistent.
public sealed class VfioGroupBackendConcurrencyTests : IDisposable
{
    private readonly FakePciFunction _a = new("0000:01:00.0", group: 7);
    private readonly FakePciFunction _b = new("0000:01:00.1", group: 7);
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;

    public VfioGroupBackendConcurrencyTests()
    {
        _kernel = new FakeVfioKernel(_a, _b);
        _vm = new VfioMachine(_kernel);
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public void Two_functions_of_one_group_attached_and_released_on_two_threads_leave_nothing_behind()
    {
        var system = new SerializedVfioSystem(_kernel);
        VfioGroupBackend backend = VfioGroupBackend.For(_vm.Machine, system);
        var failures = new List<Exception>();
        var threads = new[] { "0000:01:00.0", "0000:01:00.1" }.Select(address => new Thread(() =>
        {
            try
            {
                VfioHostDevice host = VfioHostDevice.Locate(system, VfioHostDevice.ParseAddress(address));
                for (int i = 0; i < 2000; i++)
                    backend.Attach(host, _vm.Machine, address).Dispose();
            }
            catch (Exception e)
            {
                lock (failures)
                    failures.Add(e);
            }
        })).ToArray();
        foreach (Thread t in threads)
            t.Start();
        foreach (Thread t in threads)
            Assert.True(t.Join(TimeSpan.FromMinutes(2)));

        Assert.Empty(failures);
        Assert.Equal(0, backend.OpenGroups);
        Assert.Null(backend.Listener);
        Assert.Empty(_kernel.LiveDma);
        Assert.True(_kernel.AllClosed);
    }
}
