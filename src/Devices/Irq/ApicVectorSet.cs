using System.Numerics;
using System.Runtime.CompilerServices;

namespace Emu.Devices.Irq;

/// <summary>
/// A 256-bit register of the local APIC, one bit per vector (IRR, ISR, TMR:
/// Intel SDM vol. 3A, 11.8.4): eight 32-bit words, word i at register offset
/// base + 0x10 * i holding vectors 32i..32i+31.
/// </summary>
[InlineArray(8)]
internal struct ApicVectorSet
{
    private uint _word0;

    public bool Test(int vector) => (this[vector >> 5] & (1u << (vector & 31))) != 0;

    public void Set(int vector) => this[vector >> 5] |= 1u << (vector & 31);

    public void Clear(int vector) => this[vector >> 5] &= ~(1u << (vector & 31));

    public void Assign(int vector, bool value)
    {
        if (value)
            Set(vector);
        else
            Clear(vector);
    }

    public void ClearAll()
    {
        for (int i = 0; i < 8; i++)
            this[i] = 0;
    }

    /// <summary>The highest vector set, -1 when none.</summary>
    public int Highest()
    {
        for (int i = 7; i >= 0; i--)
        {
            uint word = this[i];
            if (word != 0)
                return (i << 5) + 31 - BitOperations.LeadingZeroCount(word);
        }
        return -1;
    }
}
