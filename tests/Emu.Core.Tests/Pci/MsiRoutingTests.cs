using System.Buffers.Binary;
using Emu.Core.Interrupts;
using Emu.Core.Pci;
using Emu.Core.Posix;

namespace Emu.Core.Tests.Pci;

// Issue 15, items 5 and 6: what a guest's MSI-X programming costs the VMM
// and what it can break. Running out of interrupt routes is the guest's
// problem, not the VMM's end; masking a passthrough vector neither allocates
// nor rewrites the routing table; firing a vector never sees a half-changed route.
public sealed class MsiRoutingTests
{
    private static readonly MsiMessage A = new(0xFEE0_0000, 0x4041);
    private static readonly MsiMessage B = new(0xFEE0_1000, 0x4052);

    private static void WriteEntry(MsixCapability msix, int vector, MsiMessage m, bool masked)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, m.Address);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(8), m.Data);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(12), masked ? 1u : 0u);
        msix.TableHandler.Write((ulong)vector * 16, b.Slice(0, 8));
        msix.TableHandler.Write((ulong)vector * 16 + 8, b.Slice(8, 4));
        msix.TableHandler.Write((ulong)vector * 16 + 12, b.Slice(12, 4));
    }

    private static void SetMask(MsixCapability msix, int vector, bool masked)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, masked ? 1u : 0u);
        msix.TableHandler.Write((ulong)vector * 16 + 12, b);
    }

    [Fact]
    public void Running_out_of_interrupt_routes_on_a_table_write_leaves_the_vector_on_the_slow_path()
    {
        var controller = new LimitedRoutesController(routes: 1);
        var d = new TestMsiDevice(controller);
        d.WriteConfig(d.Msix.Offset + 2, 2, 0x8000);             // MSI-X enable
        WriteEntry(d.Msix, 0, A, masked: false);                  // takes the only route
        Exception? e = Record.Exception(() => WriteEntry(d.Msix, 1, B, masked: false));
        Assert.Null(e);                                           // the vCPU's MMIO write does not fail
        Assert.True(d.Msix.Notify(1));                            // and the vector still interrupts, through the VMM
        Assert.Equal([B], controller.Signalled);
    }

    [Fact]
    public void Masking_and_unmasking_a_passthrough_vector_neither_allocates_nor_touches_the_routes()
    {
        var controller = new LimitedRoutesController(routes: 8);
        using var trigger = new EventFd(nonBlocking: true);
        var router = new MsiVectorRouter(controller, 1);
        router.SetExternalTrigger(0, trigger);
        router.Update(0, A, active: true);
        for (int i = 0; i < 16; i++)
        {
            router.Update(0, A, active: false);
            router.Update(0, A, active: true);
        }
        int routes = controller.RouteOperations;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            router.Update(0, A, active: false);                   // masked: KVM must not inject what VFIO signals
            router.Update(0, A, active: true);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(routes, controller.RouteOperations);         // the GSI and its route stay while masked
        Assert.Equal(router.GsiOf(0), router.GsiOf(0));
        router.Dispose();
    }

    [Fact]
    public void Reprogramming_a_vector_updates_its_route_without_allocating()
    {
        var controller = new LimitedRoutesController(routes: 8);
        var router = new MsiVectorRouter(controller, 1);
        router.Update(0, A, active: true);
        router.Update(0, B, active: true);
        router.Update(0, A, active: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            router.Update(0, (i & 1) == 0 ? B : A, active: true);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        router.Dispose();
    }

    [Fact]
    public void Firing_never_delivers_a_message_torn_between_two_programmings()
    {
        var controller = new RecordingInterruptController(irqfd: false);
        var torn = new TornMessageCheck(controller);
        var router = new MsiVectorRouter(torn, 1);
        router.Update(0, A, active: true);
        using var stop = new CancellationTokenSource();
        var programmer = new Thread(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
                router.Update(0, (i & 1) == 0 ? B : A, active: true);
        });
        programmer.Start();
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline && torn.Torn == 0)
        {
            for (int i = 0; i < 10000; i++)
                router.Fire(0);
        }
        stop.Cancel();
        programmer.Join();
        Assert.Equal(0, torn.Torn);
        Assert.True(torn.Delivered > 0);
    }

    // Counts messages that are neither A nor B.
    private sealed class TornMessageCheck(IInterruptController inner) : IInterruptController
    {
        private long _torn;
        private long _delivered;

        public long Torn => Interlocked.Read(ref _torn);

        public long Delivered => Interlocked.Read(ref _delivered);

        public bool SupportsIrqFd => inner.SupportsIrqFd;

        public int IoApicPins => inner.IoApicPins;

        public IIrqLine GetLine(int gsi) => inner.GetLine(gsi);

        public void SignalMsi(MsiMessage message)
        {
            Interlocked.Increment(ref _delivered);
            if (message != A && message != B)
                Interlocked.Increment(ref _torn);
        }

        public IMsiRoute AddMsiRoute(MsiMessage message) => inner.AddMsiRoute(message);

        public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null) => inner.AddIrqFd(trigger, gsi, resample);
    }
}
