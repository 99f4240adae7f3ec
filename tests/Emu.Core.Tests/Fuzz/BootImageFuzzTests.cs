using CsCheck;
using Emu.Core.Boot;
using Emu.Core.Tests.Boot;
using Emu.Tests.Fuzz;
using Segment = Emu.Core.Tests.Boot.SyntheticKernels.Segment;

namespace Emu.Core.Tests.Fuzz;

/// <summary>
/// -kernel images a user (or an attacker who controls the file) hands emu:
/// valid bzImages and ELF/PVH kernels with random bytes overwritten, and
/// random bytes. Planning the boot either succeeds or throws
/// <see cref="BootImageException"/> (one line for the user); nothing else.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class BootImageFuzzTests
{
    private static readonly E820Map s_map = TestMaps.Pc(256UL << 20);

    private static readonly byte[][] s_seeds =
    {
        SyntheticKernels.BzImage(),
        SyntheticKernels.BzImage(version: 0x0205, xloadFlags: 0),
        SyntheticKernels.Elf(new[] { new Segment(0x100_0000, new byte[0x1000], 0x2000) }, pvhEntry: 0x100_0000),
        SyntheticKernels.Elf(new[] { new Segment(0x100_0000, new byte[0x1000], 0x1000), new Segment(0x200_0000, new byte[0x800], 0x4000) }, pvhEntry: null),
    };

    private static readonly Gen<byte[]> s_image = Gen.OneOf(
        // A valid image with up to 16 random bytes (or 16-bit, 32-bit, 64-bit values) written at random places.
        Gen.Select(Gen.Int[0, s_seeds.Length - 1], Gen.Select(Gen.Int[0, 1 << 16], Gen.ULong, Gen.Int[1, 8]).Array[1, 16], (seed, edits) =>
        {
            byte[] image = (byte[])s_seeds[seed].Clone();
            foreach ((int at, ulong value, int size) in edits)
            {
                int offset = at % image.Length;
                for (int i = 0; i < size && offset + i < image.Length; i++)
                    image[offset + i] = (byte)(value >> (8 * i));
            }
            return image;
        }),
        // A valid image cut short.
        Gen.Select(Gen.Int[0, s_seeds.Length - 1], Gen.Int[0, 0x3000], (seed, length) => s_seeds[seed].AsSpan(0, Math.Min(length, s_seeds[seed].Length)).ToArray()),
        Gen.Byte.Array[0, 4096]);

    [Fact]
    public void PlanningABootFromAnyImageSucceedsOrSaysWhy()
    {
        Gen.Select(s_image, Gen.Byte.Array[0, 64].Null()).Sample((kernel, initrd) =>
        {
            try
            {
                DirectKernelBoot.Prepare(kernel, initrd, "console=ttyS0", s_map, rsdp: 0xE_0000);
            }
            catch (BootImageException)
            {
            }
        }, iter: FuzzBudget.Iterations(5000), time: FuzzBudget.Seconds, threads: 1);
    }
}
