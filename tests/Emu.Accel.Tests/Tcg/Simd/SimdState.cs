using System.Buffers.Binary;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>Builds snippet state blocks: registers, MXCSR, the x87 registers and memory, with random and special values.</summary>
internal sealed class SimdState
{
    public SimdState(Random random)
    {
        Random = random;
        Bytes = Snippet.DefaultState();
    }

    public Random Random { get; }

    public byte[] Bytes { get; }

    public SimdState Xmm(int i, ulong low, ulong high)
    {
        Put(Snippet.Xmm0 + 16 * i, low);
        Put(Snippet.Xmm0 + 16 * i + 8, high);
        return this;
    }

    public SimdState Mxcsr(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan(Snippet.Mxcsr), value);
        return this;
    }

    public SimdState Fcw(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(Snippet.Fcw), value);
        return this;
    }

    public SimdState Fsw(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(Snippet.Fsw), value);
        return this;
    }

    /// <summary>The abridged tag byte (bit i: physical register i is valid).</summary>
    public SimdState Ftw(byte value)
    {
        Bytes[Snippet.Ftw] = value;
        return this;
    }

    /// <summary>ST(i) (FXSAVE stores the stack in ST order).</summary>
    public SimdState St(int i, ulong significand, ushort signExponent)
    {
        Put(Snippet.St0 + 16 * i, significand);
        BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(Snippet.St0 + 16 * i + 8), signExponent);
        return this;
    }

    public SimdState Gpr(int offset, ulong value)
    {
        Put(offset, value);
        return this;
    }

    public SimdState Flags(ulong value)
    {
        Put(Snippet.FlagsIn, value | 2);
        return this;
    }

    public SimdState Memory(int offset, ulong value)
    {
        Put(Snippet.MemoryArea + offset, value);
        return this;
    }

    /// <summary>Random XMM registers, general registers and memory area.</summary>
    public SimdState RandomFill()
    {
        for (int i = 0; i < 16; i++)
            Xmm(i, Next(), Next());
        foreach (int r in new[] { Snippet.Rax, Snippet.Rbx, Snippet.Rcx, Snippet.Rdx, Snippet.R8, Snippet.R9 })
            Put(r, Next());
        Random.NextBytes(Bytes.AsSpan(Snippet.MemoryArea, Snippet.MemorySize));
        return this;
    }

    public ulong Next() => (ulong)Random.NextInt64() ^ ((ulong)Random.Next(2) << 63);

    private void Put(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(offset), value);
}
