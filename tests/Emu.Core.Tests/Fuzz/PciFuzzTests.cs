using CsCheck;
using Emu.Core.Pci;
using Emu.Core.Tests.Pci;
using Emu.Tests.Fuzz;

namespace Emu.Core.Tests.Fuzz;

/// <summary>
/// A hostile guest on a PCI function: any configuration write (BARs, command,
/// capabilities, MSI/MSI-X control) and any MSI-X table/PBA access, at any
/// offset and size, in any order. Nothing may throw; the function stays consistent.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class PciFuzzTests
{
    private record struct Access(int Kind, ulong Offset, int Size, ulong Value);

    private static readonly Gen<Access> s_access =
        Gen.Select(Gen.Int[0, 5], Gen.OneOf(Gen.ULong[0, 0x1100], Gen.ULong, Gen.ULong[ulong.MaxValue - 16, ulong.MaxValue]), Gen.Const(1).Select(_ => 0).SelectMany(_ => Gen.Int[0, 6]).Select(i => new[] { 1, 2, 4, 8, 3, 0, 16 }[i]), Gen.ULong,
            (kind, offset, size, value) => new Access(kind, offset, size, value));

    [Fact]
    public void ConfigSpaceAndMsixAccessesNeverThrow()
    {
        s_access.Array[1, 64].Sample(accesses =>
        {
            var ic = new RecordingInterruptController(irqfd: true);
            var d = new TestMsiDevice(ic);
            Span<byte> buffer = stackalloc byte[16];
            foreach (Access a in accesses)
            {
                Span<byte> data = buffer.Slice(0, a.Size);
                BitConverter.TryWriteBytes(buffer, a.Value);
                switch (a.Kind)
                {
                    case 0:
                        if (a.Size is 1 or 2 or 4)
                            d.WriteConfig((int)(a.Offset % 256), a.Size, (uint)a.Value);
                        break;
                    case 1:
                        if (a.Size is 1 or 2 or 4)
                            d.ReadConfig((int)(a.Offset % 256), a.Size);
                        break;
                    case 2:
                        d.Msix.TableHandler.Write(a.Offset, data);
                        break;
                    case 3:
                        d.Msix.TableHandler.Read(a.Offset, data);
                        d.Msix.PbaHandler.Read(a.Offset, data);
                        break;
                    case 4:
                        d.Msix.Notify((int)(a.Value % 8) - 2);
                        d.Msi.Notify((int)(a.Value % 8) - 2);
                        break;
                    default:
                        d.Reset();
                        break;
                }
            }
            // Whatever happened, every table entry reads back as the table says.
            for (int v = 0; v < d.Msix.VectorCount; v++)
                _ = d.Msix.MessageOf(v);
            d.Msix.Dispose();
        }, iter: FuzzBudget.Iterations(3000), time: FuzzBudget.Seconds, threads: 1);
    }
}
