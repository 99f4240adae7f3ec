using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Where a test case lives, the same on the host (native/runner.c) and in the
/// software CPU's guest: its code and its data each at a fixed linear address,
/// each with an inaccessible page on either side, so that an access that
/// strays out of them faults the same way on both (#PF / SIGSEGV).
/// </summary>
internal static class DifferentialLayout
{
    public const ulong CodeBase = 0x1000_0000;
    public const int CodeSize = 0x2000;
    public const ulong DataBase = 0x2000_0000;
    public const int DataSize = 0x2000;
    public const int PageSize = 0x1000;

    /// <summary>
    /// GS's base on both sides (runner.c sets it with arch_prctl, which takes only user addresses): far from
    /// the data region, so a GS-relative operand reaches it only by wrapping around 2^64.
    /// </summary>
    public const ulong GsBase = 0x7000_0000_0000;

    /// <summary>The byte the code region is filled with around the code: INT3, so every case ends in #BP.</summary>
    public const byte Int3 = 0xCC;

    /// <summary>The data region's contents before the patches: splitmix64 words from the seed (as runner.c computes them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillData(ulong seed, Span<byte> data)
    {
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        ulong state = seed;
        for (int i = 0; i < words.Length; i++)
            words[i] = BitConverter.IsLittleEndian ? SplitMix64(ref state) : BinaryPrimitives.ReverseEndianness(SplitMix64(ref state));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
