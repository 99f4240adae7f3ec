using Emu.Devices.Virtio;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// Hostile descriptor tables: each is refused with the right reason, the
// queue takes nothing from it, and the host neither throws nor touches
// memory outside guest RAM.
public sealed class SplitQueueValidationTests : IDisposable
{
    private const ushort Size = 16;
    private const ulong Buffers = 0x100000;
    private const ulong Indirect = 0x200000;
    private readonly GuestRam _ram = new();
    private readonly SplitQueue _queue;
    private readonly QueueDriver _driver;

    public SplitQueueValidationTests()
    {
        _queue = new SplitQueue(_ram.Memory, 0, 256);
        _driver = new QueueDriver(_ram.Memory, 0x10000, Size);
        Assert.True(_driver.Configure(_queue, VirtioFeatures.Transport));
    }

    public void Dispose() => _ram.Dispose();

    private void AssertRefused(VirtqError expected)
    {
        ushort before = _queue.LastAvailIndex;
        Assert.Equal(PopResult.Error, _queue.TryPop());
        Assert.Equal(expected, _queue.Error);
        Assert.Equal(before, _queue.LastAvailIndex);
        Assert.Equal(0, _driver.UsedIndex);
    }

    [Fact]
    public void A_well_formed_chain_is_taken_with_its_buffers_in_order()
    {
        _driver.SetDescriptor(0, Buffers, 16, D.FlagNext, 1);
        _driver.SetDescriptor(1, Buffers + 0x1000, 4096, D.FlagNext | D.FlagWrite, 2);
        _driver.SetDescriptor(2, Buffers + 0x2000, 1, D.FlagWrite);
        _driver.Publish(0);

        Assert.Equal(PopResult.Chain, _queue.TryPop());
        DescriptorChain chain = _queue.Chain;
        Assert.Equal(0, chain.Head);
        Assert.Equal(3, chain.Count);
        Assert.Equal(16UL, chain.ReadableLength);
        Assert.Equal(4097UL, chain.WritableLength);
        Assert.Equal(1, chain.FirstWritable);
        Assert.Equal(Buffers + 0x1000, chain[1].GuestAddress);
        Assert.Equal(PopResult.Empty, _queue.TryPop());
    }

    [Fact]
    public void A_descriptor_loop_is_refused()
    {
        _driver.SetDescriptor(0, Buffers, 16, D.FlagNext, 1);
        _driver.SetDescriptor(1, Buffers, 16, D.FlagNext, 0);
        _driver.Publish(0);
        AssertRefused(VirtqError.ChainTooLong);
    }

    [Fact]
    public void A_self_loop_is_refused()
    {
        _driver.SetDescriptor(3, Buffers, 16, D.FlagNext, 3);
        _driver.Publish(3);
        AssertRefused(VirtqError.ChainTooLong);
    }

    [Fact]
    public void A_head_index_beyond_the_queue_is_refused()
    {
        _driver.Publish(Size);
        AssertRefused(VirtqError.HeadOutOfRange);
    }

    [Fact]
    public void A_next_index_beyond_the_queue_is_refused()
    {
        _driver.SetDescriptor(0, Buffers, 16, D.FlagNext, 0xFFFF);
        _driver.Publish(0);
        AssertRefused(VirtqError.NextOutOfRange);
    }

    [Theory]
    [InlineData(GuestRam.Size, 16u)]                      // just past the end of RAM
    [InlineData(GuestRam.Size - 8, 16u)]                  // straddles the end of RAM
    [InlineData(0xFFFF_FFFF_FFFF_FFF0, 0x100u)]           // wraps around the address space
    [InlineData(0x7_0000_0000, 512u)]                     // nowhere near RAM
    [InlineData(0x1000, 0xFFFF_FFFFu)]                    // a huge length
    public void A_buffer_outside_guest_RAM_is_refused(ulong address, uint length)
    {
        _driver.SetDescriptor(0, Buffers, 16, D.FlagNext, 1);
        _driver.SetDescriptor(1, address, length, D.FlagWrite);
        _driver.Publish(0);
        AssertRefused(VirtqError.AddressOutOfRange);
    }

    [Fact]
    public void A_zero_length_buffer_is_refused()
    {
        _driver.SetDescriptor(0, Buffers, 0);
        _driver.Publish(0);
        AssertRefused(VirtqError.ZeroLength);
    }

    [Fact]
    public void A_readable_buffer_after_a_writable_one_is_refused()
    {
        _driver.SetDescriptor(0, Buffers, 16, D.FlagNext | D.FlagWrite, 1);
        _driver.SetDescriptor(1, Buffers, 16);
        _driver.Publish(0);
        AssertRefused(VirtqError.ReadableAfterWritable);
    }

    [Fact]
    public void An_available_index_far_ahead_is_refused()
    {
        _driver.SetAvailIndex(Size + 1);
        AssertRefused(VirtqError.AvailIndexTooFar);
    }

    [Fact]
    public void An_indirect_table_is_expanded()
    {
        _driver.SetDescriptorAt(Indirect, 0, Buffers, 16, D.FlagNext, 1);
        _driver.SetDescriptorAt(Indirect, 1, Buffers + 0x1000, 512, D.FlagNext | D.FlagWrite, 2);
        _driver.SetDescriptorAt(Indirect, 2, Buffers + 0x2000, 1, D.FlagWrite);
        _driver.SetDescriptor(5, Indirect, 3 * 16, D.FlagIndirect);
        _driver.Publish(5);

        Assert.Equal(PopResult.Chain, _queue.TryPop());
        Assert.Equal(5, _queue.Chain.Head);
        Assert.Equal(3, _queue.Chain.Count);
        Assert.Equal(513UL, _queue.Chain.WritableLength);
    }

    [Fact]
    public void A_nested_indirect_table_is_refused()
    {
        _driver.SetDescriptorAt(Indirect, 0, Indirect + 0x100, 16, D.FlagIndirect);
        _driver.SetDescriptor(0, Indirect, 16, D.FlagIndirect);
        _driver.Publish(0);
        AssertRefused(VirtqError.NestedIndirect);
    }

    [Fact]
    public void An_indirect_descriptor_with_next_is_refused()
    {
        _driver.SetDescriptor(0, Indirect, 16, D.FlagIndirect | D.FlagNext, 1);
        _driver.Publish(0);
        AssertRefused(VirtqError.IndirectWithNext);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(24u)]                 // not a multiple of 16
    [InlineData(16u * (Size + 1))]    // more entries than the queue has
    public void An_indirect_table_of_bad_length_is_refused(uint length)
    {
        _driver.SetDescriptor(0, Indirect, length, D.FlagIndirect);
        _driver.Publish(0);
        AssertRefused(VirtqError.BadIndirectLength);
    }

    [Fact]
    public void An_indirect_table_outside_RAM_is_refused()
    {
        _driver.SetDescriptor(0, GuestRam.Size - 16, 32, D.FlagIndirect);
        _driver.Publish(0);
        AssertRefused(VirtqError.AddressOutOfRange);
    }

    [Fact]
    public void A_loop_inside_an_indirect_table_is_refused()
    {
        _driver.SetDescriptorAt(Indirect, 0, Buffers, 16, D.FlagNext, 1);
        _driver.SetDescriptorAt(Indirect, 1, Buffers, 16, D.FlagNext, 0);
        _driver.SetDescriptor(0, Indirect, 32, D.FlagIndirect);
        _driver.Publish(0);
        AssertRefused(VirtqError.ChainTooLong);
    }

    [Fact]
    public void An_indirect_next_beyond_its_table_is_refused()
    {
        _driver.SetDescriptorAt(Indirect, 0, Buffers, 16, D.FlagNext, 2);
        _driver.SetDescriptor(0, Indirect, 32, D.FlagIndirect);
        _driver.Publish(0);
        AssertRefused(VirtqError.NextOutOfRange);
    }

    [Fact]
    public void Indirect_descriptors_are_refused_unless_negotiated()
    {
        var queue = new SplitQueue(_ram.Memory, 1, 256);
        var driver = new QueueDriver(_ram.Memory, 0x40000, Size);
        Assert.True(driver.Configure(queue, VirtioFeatures.Version1));
        driver.SetDescriptorAt(Indirect, 0, Buffers, 16);
        driver.SetDescriptor(0, Indirect, 16, D.FlagIndirect);
        driver.Publish(0);
        Assert.Equal(PopResult.Error, queue.TryPop());
        Assert.Equal(VirtqError.IndirectNotNegotiated, queue.Error);
    }

    [Fact]
    public void A_chain_longer_than_the_queue_is_refused_even_without_a_loop()
    {
        for (int i = 0; i < Size; i++)
            _driver.SetDescriptor(i, Buffers, 16, D.FlagNext, (ushort)(i + 1));
        _driver.Publish(0);
        AssertRefused(VirtqError.NextOutOfRange);
    }

    [Theory]
    [InlineData((ushort)0, 0x10000UL, 0x20000UL, 0x30000UL, VirtqError.BadQueueSize)]
    [InlineData((ushort)12, 0x10000UL, 0x20000UL, 0x30000UL, VirtqError.BadQueueSize)]
    [InlineData((ushort)512, 0x10000UL, 0x20000UL, 0x30000UL, VirtqError.BadQueueSize)]
    [InlineData((ushort)16, 0x10008UL, 0x20000UL, 0x30000UL, VirtqError.BadRingAddress)]
    [InlineData((ushort)16, 0x10000UL, 0x20001UL, 0x30000UL, VirtqError.BadRingAddress)]
    [InlineData((ushort)16, 0x10000UL, 0x20000UL, 0x30002UL, VirtqError.BadRingAddress)]
    [InlineData((ushort)16, GuestRam.Size - 16, 0x20000UL, 0x30000UL, VirtqError.BadRingAddress)]
    [InlineData((ushort)16, 0x10000UL, 0x20000UL, GuestRam.Size - 64, VirtqError.BadRingAddress)]
    public void A_bad_queue_configuration_is_refused_at_activation(ushort size, ulong desc, ulong avail, ulong used, VirtqError expected)
    {
        var queue = new SplitQueue(_ram.Memory, 2, 256) { Size = size, DescriptorTable = desc, AvailRing = avail, UsedRing = used, Enabled = true };
        Assert.False(queue.Activate(VirtioFeatures.Transport));
        Assert.Equal(expected, queue.Error);
        Assert.False(queue.IsActive);
        Assert.Equal(PopResult.Empty, queue.TryPop());
    }

    [Fact]
    public void Event_idx_notifies_only_when_used_event_is_crossed()
    {
        _driver.SetDescriptor(0, Buffers, 1, D.FlagWrite);
        _driver.UsedEvent = 2;
        for (int i = 0; i < 4; i++)
        {
            _driver.Publish(0);
            Assert.Equal(PopResult.Chain, _queue.TryPop());
            _queue.Push(0, 1);
        }
        // The first check always notifies (nothing signalled yet); then only the push crossing used_event = 2.
        Assert.True(_queue.ShouldNotify());
        _driver.Publish(0);
        _queue.TryPop();
        _queue.Push(0, 1);
        Assert.False(_queue.ShouldNotify());
        _driver.UsedEvent = 5; // "interrupt me once the entry at index 5 is used"
        _driver.Publish(0);
        _queue.TryPop();
        _queue.Push(0, 1);
        Assert.True(_queue.ShouldNotify());
    }

    [Fact]
    public void Enabling_notifications_publishes_avail_event_and_reports_late_arrivals()
    {
        _driver.SetDescriptor(0, Buffers, 1, D.FlagWrite);
        _driver.Publish(0);
        Assert.Equal(PopResult.Chain, _queue.TryPop());
        Assert.False(_queue.EnableNotifications());
        Assert.Equal(1, _driver.AvailEvent);
        _driver.Publish(0);
        Assert.True(_queue.EnableNotifications());
    }

    [Fact]
    public void Without_event_idx_the_no_notify_flag_suppresses_driver_notifications()
    {
        var queue = new SplitQueue(_ram.Memory, 1, 256);
        var driver = new QueueDriver(_ram.Memory, 0x40000, Size);
        Assert.True(driver.Configure(queue, VirtioFeatures.Version1));
        queue.DisableNotifications();
        Assert.Equal(1, driver.UsedFlags);
        Assert.False(queue.EnableNotifications());
        Assert.Equal(0, driver.UsedFlags);
        driver.AvailFlags = 1; // VIRTQ_AVAIL_F_NO_INTERRUPT
        driver.SetDescriptor(0, Buffers, 1, D.FlagWrite);
        driver.Publish(0);
        queue.TryPop();
        queue.Push(0, 1);
        Assert.False(queue.ShouldNotify());
    }
}
