using Emu.Core.Migration;

namespace Emu.Accel.Tcg;

/// <summary>
/// The x87/SSE state in the migration stream as the 512-byte FXSAVE image
/// (Intel SDM vol. 1, table 10-2: FCW, abridged FTW, FSW, FOP, FIP, FDP,
/// MXCSR and MXCSR_MASK, ST0-ST7 in 16-byte slots, XMM0-XMM15), the layout
/// KVM's state uses too. The registers in the image are in stack order
/// (ST(i)), the software FPU keeps them by physical number; TOP maps one to
/// the other.
/// </summary>
internal static class FpuImage
{
    public const int Size = 512;

    /// <summary>The MXCSR bits the software CPU implements (as FXSAVE reports in MXCSR_MASK).</summary>
    public const uint MxcsrMask = 0xFFFF;

    public static void Save(FpuState fpu, StateWriter state)
    {
        Span<byte> image = stackalloc byte[Size];
        image.Clear();
        BitConverter.TryWriteBytes(image, fpu.ControlWord);
        BitConverter.TryWriteBytes(image.Slice(2), fpu.StatusWord);
        image[4] = fpu.TagByte;
        BitConverter.TryWriteBytes(image.Slice(6), fpu.LastOpcode);
        BitConverter.TryWriteBytes(image.Slice(8), fpu.LastInstructionPointer);
        BitConverter.TryWriteBytes(image.Slice(16), fpu.LastDataPointer);
        BitConverter.TryWriteBytes(image.Slice(24), fpu.Mxcsr);
        BitConverter.TryWriteBytes(image.Slice(28), MxcsrMask);
        int top = (fpu.StatusWord >> 11) & 7;
        for (int i = 0; i < 8; i++)
        {
            int physical = (top + i) & 7;
            BitConverter.TryWriteBytes(image.Slice(32 + 16 * i), fpu.Mantissa[physical]);
            BitConverter.TryWriteBytes(image.Slice(40 + 16 * i), fpu.SignExponent[physical]);
        }
        for (int i = 0; i < 32; i++)
            BitConverter.TryWriteBytes(image.Slice(160 + 8 * i), fpu.Xmm[i]);
        state.WriteBytes("fxsave", image);
        // The 64-bit image has no room for the x87 FPU's last code and data
        // selectors (FNSTENV/FNSAVE report them in 16- and 32-bit formats).
        // They go as fields of their own, only when set: a stream without them
        // still reads as a stream of a build that did not keep them (QEMU
        // sends such state as a subsection only when it is needed, too).
        if (fpu.LastCodeSelector != 0 || fpu.LastDataSelector != 0)
        {
            state.WriteU16("fpu-cs", fpu.LastCodeSelector);
            state.WriteU16("fpu-ds", fpu.LastDataSelector);
        }
    }

    public static void Load(FpuState fpu, StateReader state)
    {
        Span<byte> image = stackalloc byte[Size];
        state.ReadBytes("fxsave", image);
        uint mxcsr = BitConverter.ToUInt32(image.Slice(24));
        if ((mxcsr & ~MxcsrMask) != 0)
            throw new MigrationException($"{state.Section}: MXCSR 0x{mxcsr:x} sets reserved bits");
        fpu.ControlWord = BitConverter.ToUInt16(image);
        fpu.StatusWord = BitConverter.ToUInt16(image.Slice(2));
        fpu.TagByte = image[4];
        fpu.LastOpcode = (ushort)(BitConverter.ToUInt16(image.Slice(6)) & 0x7FF);
        fpu.LastInstructionPointer = BitConverter.ToUInt64(image.Slice(8));
        fpu.LastDataPointer = BitConverter.ToUInt64(image.Slice(16));
        fpu.Mxcsr = mxcsr;
        int top = (fpu.StatusWord >> 11) & 7;
        for (int i = 0; i < 8; i++)
        {
            int physical = (top + i) & 7;
            fpu.Mantissa[physical] = BitConverter.ToUInt64(image.Slice(32 + 16 * i));
            fpu.SignExponent[physical] = BitConverter.ToUInt16(image.Slice(40 + 16 * i));
        }
        for (int i = 0; i < 32; i++)
            fpu.Xmm[i] = BitConverter.ToUInt64(image.Slice(160 + 8 * i));
        bool selectors = state.Has("fpu-cs");
        fpu.LastCodeSelector = selectors ? state.ReadU16("fpu-cs") : (ushort)0;
        fpu.LastDataSelector = selectors ? state.ReadU16("fpu-ds") : (ushort)0;
    }
}
