using Emu.Accel.Kvm;
using Emu.Core.Interrupts;
using Emu.Core.Pci;
using Emu.Core.Posix;
using Emu.Lab;

namespace Emu.Accel.Tests;

// Issue 15, items 5 and 6, against KVM's real routing table: a guest that
// enables more vectors than there are GSIs gets vectors without a route, not
// a dead VMM; a passthrough vector masked and unmasked is unbound and bound
// again (KVM_IRQFD deassign/assign) with its route kept.
public sealed class KvmInterruptRoutingTests
{
    private static readonly MsiMessage Message = new(0xFEE0_0000, 0x4041);

    [KvmFact]
    public void Vectors_beyond_the_routing_table_get_no_route_and_the_others_keep_theirs()
    {
        using var guest = new RealModeGuest(new byte[] { 0xF4 }, irqchip: true);
        // A small table (38 entries for the PIC and IOAPIC pins, 26 for MSIs) keeps the test quick under TCG.
        using var controller = new KvmInterruptController(guest.Vm.Handle, maxRoutes: 64);
        var router = new MsiVectorRouter(controller, 32);
        for (int v = 0; v < 32; v++)
            router.Update(v, Message with { Data = 0x4040u + (uint)v }, active: true);
        Assert.Equal(6, router.UnroutedCount);
        Assert.Equal(26, controller.MsiRoutes);
        Assert.Equal(-1, router.GsiOf(31));
        Assert.True(router.Fire(31));                            // no route: injected with KVM_SIGNAL_MSI
        router.Update(0, Message with { Data = 0x4099 }, active: true); // reprogrammed in place
        Assert.Equal(26, controller.MsiRoutes);
        router.DeactivateAll();
        Assert.Equal(0, controller.MsiRoutes);
        router.Dispose();
    }

    // KVM reads an irqfd's eventfd in its wake-up callback (Linux 5.11 and
    // later; the lab runs Debian's 6.1), during the write that signals it, and
    // empties it when the irqfd is deassigned. So a count left in the eventfd
    // after a signal says that no irqfd is bound to it, an empty one that KVM
    // took the interrupt.
    [KvmFact]
    public void A_masked_passthrough_vector_keeps_its_route_and_its_irqfd_is_rebound_at_unmask()
    {
        using var guest = new RealModeGuest(new byte[] { 0xF4 }, irqchip: true);
        using var controller = new KvmInterruptController(guest.Vm.Handle, maxRoutes: 64);
        using var trigger = new EventFd(nonBlocking: true);
        var router = new MsiVectorRouter(controller, 1);
        router.SetExternalTrigger(0, trigger);
        router.Update(0, Message, active: true);
        int gsi = router.GsiOf(0);
        Assert.True(gsi >= 24, $"GSI {gsi} is not an MSI route");
        for (int i = 0; i < 100; i++)
        {
            trigger.Signal();                            // VFIO signals the unmasked vector: KVM takes it
            Assert.False(trigger.IsSignalled(), $"round {i}: the unmasked vector's irqfd is not bound");
            router.Update(0, Message, active: false);   // masked: KVM_IRQFD deassign
            trigger.Signal();                            // VFIO signals the masked vector
            Assert.True(trigger.IsSignalled(), $"round {i}: the masked vector's irqfd is still bound");
            Assert.True(router.IsExternalPending(0));    // the PBA shows it
            router.Update(0, Message, active: true);    // unmasked: KVM_IRQFD assign, the count delivered
            Assert.False(router.IsExternalPending(0));
        }
        Assert.Equal(gsi, router.GsiOf(0));
        Assert.Equal(1, controller.MsiRoutes);
        router.Dispose();
        Assert.Equal(0, controller.MsiRoutes);
        trigger.Signal();                                // the irqfd went with the router
        Assert.True(trigger.IsSignalled());
    }
}
