using Emu.Devices.Irq;

namespace Emu.Devices.Tests.Irq;

/// <summary>
/// A machine's interrupt controllers on a manual clock: the controller with
/// N local APICs created for fake vCPUs, and helpers that program them the
/// way firmware and Linux do.
/// </summary>
internal sealed class IrqRig : IDisposable
{
    public IrqRig(int cpus = 2)
    {
        Clock = ClockEvents.CreateManual();
        Controller = new UserspaceInterruptController(cpus, ioApicId: 0, clock: Clock);
        Vcpus = new FakeApicVcpu[cpus];
        Apics = new LocalApic[cpus];
        for (int i = 0; i < cpus; i++)
        {
            Vcpus[i] = new FakeApicVcpu(i);
            Apics[i] = Controller.CreateLocalApic(Vcpus[i]);
        }
        // The 8259s initialized and masked, as an OS that uses the IOAPIC leaves
        // them (after reset they are unmasked and the PIT ticks IRQ 0 into the
        // BSP's virtual wire). Tests of the 8259 path unmask them.
        InitPic(Pic);
        Out(Pic.MasterPorts, 1, 0xFF);
        Out(Pic.SlavePorts, 1, 0xFF);
    }

    public ClockEvents Clock { get; }

    public UserspaceInterruptController Controller { get; }

    public FakeApicVcpu[] Vcpus { get; }

    public LocalApic[] Apics { get; }

    public IoApic IoApic => Controller.IoApic;

    public PicPair Pic => Controller.Pic;

    /// <summary>Software-enables an APIC with spurious vector 0xFF, as an OS does first.</summary>
    public void EnableApic(int cpu) => Apics[cpu].WriteRegister(LocalApicRegister.SpuriousVector, 0x1FF);

    public void EnableAllApics()
    {
        for (int i = 0; i < Apics.Length; i++)
            EnableApic(i);
    }

    /// <summary>Programs an IOAPIC redirection entry.</summary>
    public void Route(int pin, byte vector, uint destination, bool level = false, bool logical = false, bool masked = false, ApicDeliveryMode mode = ApicDeliveryMode.Fixed)
    {
        IoApic.WriteIndirect((byte)(0x11 + 2 * pin), destination << 24);
        IoApic.WriteIndirect((byte)(0x10 + 2 * pin), vector | ((uint)mode << 8) | (logical ? 1u << 11 : 0) | (level ? 1u << 15 : 0) | (masked ? 1u << 16 : 0));
    }

    /// <summary>The 8259 initialization Linux and SeaBIOS use: master vectors at masterBase, slave at slaveBase, 8086 mode.</summary>
    public static void InitPic(PicPair pic, byte masterBase = 0x20, byte slaveBase = 0x28, bool autoEoi = false)
    {
        Out(pic.MasterPorts, 0, 0x11); // ICW1: edge, cascade, ICW4 needed
        Out(pic.MasterPorts, 1, masterBase); // ICW2
        Out(pic.MasterPorts, 1, 0x04); // ICW3: slave on IR2
        Out(pic.MasterPorts, 1, autoEoi ? (byte)0x03 : (byte)0x01); // ICW4: 8086 mode
        Out(pic.SlavePorts, 0, 0x11);
        Out(pic.SlavePorts, 1, slaveBase);
        Out(pic.SlavePorts, 1, 0x02); // ICW3: slave ID 2
        Out(pic.SlavePorts, 1, autoEoi ? (byte)0x03 : (byte)0x01);
        Out(pic.MasterPorts, 1, 0x00); // OCW1: nothing masked
        Out(pic.SlavePorts, 1, 0x00);
    }

    public static void Out(Emu.Core.Memory.IIoHandler handler, ulong port, byte value) => handler.Write(port, stackalloc byte[] { value });

    public static byte In(Emu.Core.Memory.IIoHandler handler, ulong port)
    {
        Span<byte> data = stackalloc byte[1];
        handler.Read(port, data);
        return data[0];
    }

    public void Dispose() => Controller.Dispose();
}
