using System.Buffers.Binary;
using Emu.Core.Interrupts;
using Emu.Core.Pci;

namespace Emu.Core.Tests.Pci;

// MSI-X and MSI as a guest driver programs them, and the interrupts that come out.
public sealed class MsiCapabilityTests
{
    private static readonly MsiMessage Vector0 = new(0xFEE0_0000, 0x4021);
    private static readonly MsiMessage Vector2 = new(0xFEE0_1000, 0x4033);

    private static void WriteEntry(TestMsiDevice d, int vector, MsiMessage m, bool masked)
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, m.Address);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(8), m.Data);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(12), masked ? 1u : 0u);
        // Address as a qword, data and control as dwords, as Linux does.
        d.Msix.TableHandler.Write((ulong)vector * 16, b.Slice(0, 8));
        d.Msix.TableHandler.Write((ulong)vector * 16 + 8, b.Slice(8, 4));
        d.Msix.TableHandler.Write((ulong)vector * 16 + 12, b.Slice(12, 4));
    }

    private static void SetMask(TestMsiDevice d, int vector, bool masked)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, masked ? 1u : 0u);
        d.Msix.TableHandler.Write((ulong)vector * 16 + 12, b);
    }

    private static ulong Pba(TestMsiDevice d)
    {
        Span<byte> b = stackalloc byte[8];
        d.Msix.PbaHandler.Read(0, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    private static void MsixControl(TestMsiDevice d, bool enable, bool functionMask) =>
        d.WriteConfig(d.Msix.Offset + 2, 2, (enable ? 0x8000u : 0) | (functionMask ? 0x4000u : 0));

    [Fact]
    public void The_capability_describes_the_table_and_pba()
    {
        var d = new TestMsiDevice(new RecordingInterruptController(irqfd: false));
        int cap = d.Msix.Offset;
        Assert.Equal(PciCapabilityId.MsiX, d.Config.GetByte(cap));
        Assert.Equal(3u, d.ReadConfig(cap + 2, 2) & 0x7FF);      // table size - 1
        Assert.Equal(0u, d.ReadConfig(cap + 4, 4));              // table at BAR 0 offset 0
        Assert.Equal(0x800u, d.ReadConfig(cap + 8, 4));          // PBA at BAR 0 offset 0x800
        d.WriteConfig(cap + 2, 2, 0xFFFF);
        Assert.Equal(0xC003u, d.ReadConfig(cap + 2, 2));         // only enable and function mask are writable
        Span<byte> control = stackalloc byte[4];
        d.Msix.TableHandler.Read(12, control);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(control)); // vectors start masked
    }

    [Fact]
    public void An_enabled_unmasked_vector_delivers_its_message()
    {
        var ic = new RecordingInterruptController(irqfd: false);
        var d = new TestMsiDevice(ic);
        Assert.False(d.Msix.Notify(0));                          // MSI-X off: nothing
        WriteEntry(d, 0, Vector0, masked: false);
        MsixControl(d, enable: true, functionMask: false);
        Assert.True(d.Msix.Notify(0));
        Assert.Equal([Vector0], ic.Signalled);
        Assert.False(d.Msix.Notify(7));                          // no such vector
    }

    [Fact]
    public void A_masked_vector_is_pending_until_unmasked()
    {
        var ic = new RecordingInterruptController(irqfd: false);
        var d = new TestMsiDevice(ic);
        WriteEntry(d, 2, Vector2, masked: true);
        MsixControl(d, enable: true, functionMask: false);
        Assert.False(d.Msix.Notify(2));
        Assert.Empty(ic.Signalled);
        Assert.Equal(1UL << 2, Pba(d));
        SetMask(d, 2, masked: false);
        Assert.Equal([Vector2], ic.Signalled);
        Assert.Equal(0UL, Pba(d));
    }

    [Fact]
    public void The_function_mask_holds_every_vector()
    {
        var ic = new RecordingInterruptController(irqfd: false);
        var d = new TestMsiDevice(ic);
        WriteEntry(d, 0, Vector0, masked: false);
        MsixControl(d, enable: true, functionMask: true);
        d.Msix.Notify(0);
        Assert.Empty(ic.Signalled);
        Assert.Equal(1UL, Pba(d));
        MsixControl(d, enable: true, functionMask: false);
        Assert.Equal([Vector0], ic.Signalled);
    }

    [Fact]
    public void With_irqfd_a_vector_fires_through_its_eventfd_and_follows_the_message()
    {
        var ic = new RecordingInterruptController(irqfd: true);
        var d = new TestMsiDevice(ic);
        WriteEntry(d, 0, Vector0, masked: false);
        MsixControl(d, enable: true, functionMask: false);
        int gsi = d.Msix.Router.GsiOf(0);
        Assert.Equal(Vector0, ic.Routes[gsi]);
        Assert.Same(d.Msix.Router.TriggerOf(0), ic.IrqFds[gsi]);

        Assert.True(d.Msix.Notify(0));
        Assert.True(d.Msix.Notify(0));
        Assert.Equal(2UL, ic.IrqFds[gsi].Wait());                // two signals on the eventfd
        Assert.Empty(ic.Signalled);                               // nothing through the slow path

        // The guest retargets the vector: the route follows.
        var moved = new MsiMessage(0xFEE0_2000, 0x4044);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, moved.Address);
        d.Msix.TableHandler.Write(0, b);
        BinaryPrimitives.WriteUInt32LittleEndian(b, moved.Data);
        d.Msix.TableHandler.Write(8, b.Slice(0, 4));
        Assert.Equal(moved, ic.Routes[gsi]);

        // Masking stops delivery and touches nothing in the controller (the vector's own
        // eventfd is simply not signalled: the interrupt is pending); disabling releases both.
        SetMask(d, 0, masked: true);
        Assert.Equal(moved, ic.Routes[gsi]);
        Assert.Same(d.Msix.Router.TriggerOf(0), ic.IrqFds[gsi]);
        Assert.False(d.Msix.Notify(0));
        Assert.Equal(0UL, ic.IrqFds[gsi].Wait());
        MsixControl(d, enable: false, functionMask: false);
        Assert.Empty(ic.Routes);
        Assert.Empty(ic.IrqFds);
        d.Msix.Dispose();
    }

    [Theory]
    [InlineData(2, 0UL)]      // word access
    [InlineData(4, 2UL)]      // misaligned dword
    [InlineData(1, 12UL)]     // byte access
    public void Table_accesses_other_than_aligned_dwords_and_qwords_are_ignored(int size, ulong offset)
    {
        var d = new TestMsiDevice(new RecordingInterruptController(irqfd: false));
        byte[] ones = Enumerable.Repeat((byte)0xFF, size).ToArray();
        d.Msix.TableHandler.Write(offset, ones);
        Assert.Equal(new MsiMessage(0, 0), d.Msix.MessageOf(0));
        Assert.True(d.Msix.IsMasked(0));
        byte[] read = new byte[size];
        d.Msix.TableHandler.Read(offset, read);
        Assert.All(read, x => Assert.Equal(0, x));
        // Past the table: ignored too.
        d.Msix.TableHandler.Write(64, new byte[4] { 1, 2, 3, 4 });
    }

    // The bounds check must not wrap: offset + length near 2^64 is past the
    // table, not before its end (an aligned qword at 2^64 - 8 "ends" at 0).
    [Theory]
    [InlineData(8, ulong.MaxValue - 7)]
    [InlineData(4, ulong.MaxValue - 3)]
    [InlineData(8, 0x8000_0000_0000_0000UL)]
    [InlineData(4, 0xFFFF_FFFF_0000_0000UL)]
    public void Table_and_pba_accesses_at_offsets_near_2_pow_64_are_outside(int size, ulong offset)
    {
        var d = new TestMsiDevice(new RecordingInterruptController(irqfd: false));
        byte[] ones = Enumerable.Repeat((byte)0xFF, size).ToArray();
        d.Msix.TableHandler.Write(offset, ones);
        byte[] read = Enumerable.Repeat((byte)0xAA, size).ToArray();
        d.Msix.TableHandler.Read(offset, read);
        Assert.All(read, x => Assert.Equal(0, x));
        read.AsSpan().Fill(0xAA);
        d.Msix.PbaHandler.Read(offset, read);
        Assert.All(read, x => Assert.Equal(0, x));
        for (int v = 0; v < d.Msix.VectorCount; v++)
        {
            Assert.Equal(new MsiMessage(0, 0), d.Msix.MessageOf(v));
            Assert.True(d.Msix.IsMasked(v));
        }
    }

    [Fact]
    public void Reset_masks_everything_and_releases_routes()
    {
        var ic = new RecordingInterruptController(irqfd: true);
        var d = new TestMsiDevice(ic);
        WriteEntry(d, 0, Vector0, masked: false);
        MsixControl(d, enable: true, functionMask: false);
        Assert.Single(ic.Routes);
        d.Reset();
        Assert.False(d.Msix.Enabled);
        Assert.True(d.Msix.IsMasked(0));
        Assert.Empty(ic.Routes);
        Assert.Equal(0x0003u, d.ReadConfig(d.Msix.Offset + 2, 2));
        d.Msix.Dispose();
    }

    [Fact]
    public void Msi_sends_one_message_per_vector_with_the_vector_in_the_low_data_bits()
    {
        var ic = new RecordingInterruptController(irqfd: false);
        var d = new TestMsiDevice(ic);
        int cap = d.Msi.Offset;
        Assert.Equal(PciCapabilityId.Msi, d.Config.GetByte(cap));
        Assert.Equal(0x184u, d.ReadConfig(cap + 2, 2));          // 64-bit, per-vector mask, 4 vectors capable
        d.WriteConfig(cap + 4, 4, 0xFEE0_0000);
        d.WriteConfig(cap + 8, 4, 0);
        d.WriteConfig(cap + 12, 2, 0x4020);
        Assert.False(d.Msi.Notify(0));                            // not enabled yet
        d.WriteConfig(cap + 2, 2, 0x21);                          // enable, 4 vectors (MME = 2)
        Assert.Equal(4, d.Msi.AllocatedVectors);
        d.Msi.Notify(3);
        Assert.Equal([new MsiMessage(0xFEE0_0000, 0x4023)], ic.Signalled);

        d.WriteConfig(cap + 16, 4, 1 << 1);                       // mask vector 1
        d.Msi.Notify(1);
        Assert.Single(ic.Signalled);
        Assert.Equal(2u, d.ReadConfig(cap + 20, 4));              // pending
        d.WriteConfig(cap + 16, 4, 0);
        Assert.Equal(new MsiMessage(0xFEE0_0000, 0x4021), ic.Signalled[^1]);
        Assert.Equal(0u, d.ReadConfig(cap + 20, 4));
    }
}
