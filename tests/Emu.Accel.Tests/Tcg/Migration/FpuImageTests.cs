using Emu.Accel.Tcg;
using Emu.Core.Migration;

namespace Emu.Accel.Tests.Tcg.Migration;

// The software FPU's state in the migration stream: the FXSAVE image, plus the
// x87 last code and data selectors as fields sent only when they are set.
public sealed class FpuImageTests
{
    private static StateReader RoundTrip(FpuState fpu)
    {
        var writer = new StateWriter("cpu/0");
        FpuImage.Save(fpu, writer);
        return new StateReader("cpu/0", writer.Written.ToArray());
    }

    [Fact]
    public void The_last_x87_selectors_move_with_the_vcpu()
    {
        var fpu = new FpuState { LastCodeSelector = 0x23, LastDataSelector = 0x2B, LastInstructionPointer = 0x401000 };
        StateReader reader = RoundTrip(fpu);
        var loaded = new FpuState();
        FpuImage.Load(loaded, reader);
        reader.EnsureAllRead();
        Assert.Equal((ushort)0x23, loaded.LastCodeSelector);
        Assert.Equal((ushort)0x2B, loaded.LastDataSelector);
        Assert.Equal(0x401000UL, loaded.LastInstructionPointer);
    }

    [Fact]
    public void Without_selectors_the_stream_has_only_the_image_and_loads_them_as_zero()
    {
        StateReader reader = RoundTrip(new FpuState());
        Assert.Equal(["fxsave"], reader.FieldNames);
        var loaded = new FpuState { LastCodeSelector = 0x10, LastDataSelector = 0x18 };
        FpuImage.Load(loaded, reader);
        reader.EnsureAllRead();
        Assert.Equal((ushort)0, loaded.LastCodeSelector);
        Assert.Equal((ushort)0, loaded.LastDataSelector);
    }
}
