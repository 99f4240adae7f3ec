using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// An addressing form of a memory operand (SDM vol. 2, 2.2.1: ModRM/SIB in
/// 64-bit mode): base + index * scale + displacement with 64-bit or (0x67)
/// 32-bit registers, index * scale + disp32 without a base, RIP + disp32, or
/// an absolute disp32, with or without a segment override (in 64-bit mode
/// only FS and GS have a base, SDM vol. 1, 3.3.7.1; the others are ignored).
/// <see cref="Bind"/> gives the registers values that make the linear
/// address a given one; with 32-bit addresses their upper halves are random,
/// which the CPU must ignore.
/// </summary>
internal sealed class MemoryForm
{
    public enum Kind
    {
        Address64,
        Address32,
        IndexOnly,
        RipRelative,
        Absolute,
    }

    private readonly Kind _kind;
    private readonly int _base, _index, _scale, _displacementSize;
    private long _displacement;

    /// <summary>The segment override (Register.None for none). GS adds <see cref="DifferentialLayout.GsBase"/>, modulo 2^64.</summary>
    public Register Segment { get; set; }

    /// <summary>Whether the form can use GS: only with a 64-bit base register, which can absorb GS's large base.</summary>
    public bool CanUseGs => _kind == Kind.Address64;

    /// <param name="displacementSize">0: none; 1: the shortest that holds it; 4 or 8: a 32-bit displacement.</param>
    public MemoryForm(Kind kind, int @base, int index, int scale, int displacementSize)
    {
        _kind = kind;
        _base = @base;
        _index = index;
        _scale = scale;
        _displacementSize = displacementSize;
        _displacement = (long)DifferentialLayout.DataBase;
    }

    private void ChooseDisplacement(OperandValues v)
    {
        _displacement = _displacementSize switch
        {
            0 => 0,
            1 => v.Chance(0.5) ? v.Int(-128, 128) : v.Int(-0x1000, 0x1000),
            _ => v.Random.Next(int.MinValue, int.MaxValue),
        };
    }

    public MemoryOperand Operand() => _kind switch
    {
        Kind.RipRelative => new MemoryOperand(Register.RIP, Register.None, 1, _displacement, 8, false, Segment),
        Kind.Absolute => new MemoryOperand(Register.None, Register.None, 1, _displacement, 8, false, Segment),
        Kind.IndexOnly => new MemoryOperand(Register.None, Register.RAX + _index, _scale, _displacement, 8, false, Segment),
        Kind.Address64 => new MemoryOperand(Register.RAX + _base, _index < 0 ? Register.None : Register.RAX + _index, _scale, _displacement,
            _displacement == 0 && _displacementSize == 0 ? 0 : _displacementSize, false, Segment),
        _ => new MemoryOperand(Register.EAX + _base, _index < 0 ? Register.None : Register.EAX + _index, _scale, _displacement,
            _displacement == 0 && _displacementSize == 0 ? 0 : _displacementSize == 8 ? 4 : _displacementSize, false, Segment),
    };

    /// <summary>The operand, with registers (in <paramref name="state"/>) that make its effective address <paramref name="address"/>.</summary>
    public MemoryOperand Bind(ulong address, CaseState state, OperandValues v)
    {
        if (Segment == Register.GS)
            address -= DifferentialLayout.GsBase;
        switch (_kind)
        {
            case Kind.RipRelative:
            case Kind.Absolute:
                _displacement = (long)address;
                break;
            case Kind.IndexOnly:
            {
                long index = v.Int(-64, 64);
                state.Set(_index, (ulong)index);
                _displacement = (long)address - index * _scale;
                break;
            }
            default:
            {
                ChooseDisplacement(v);
                ulong index = 0;
                if (_index >= 0)
                {
                    index = v.Chance(0.5) ? (ulong)(long)v.Int(-64, 64) : v.Bits64();
                    state.Set(_index, index);
                }
                ulong @base = address - (ulong)_displacement - index * (ulong)_scale;
                if (_kind == Kind.Address32)
                    @base = (v.Bits64() & ~0xFFFF_FFFFUL) | (@base & 0xFFFF_FFFF);
                state.Set(_base, @base);
                break;
            }
        }
        return Operand();
    }

    /// <summary>For LEA: any register values and displacement (the address is computed, never accessed).</summary>
    public MemoryOperand Random(CaseState state, OperandValues v)
    {
        if (_base >= 0)
            state.Set(_base, v.Register(8));
        if (_index >= 0)
            state.Set(_index, v.Register(8));
        if (_kind == Kind.RipRelative)
            _displacement = (long)DifferentialLayout.CodeBase + v.Random.Next(int.MinValue / 2, int.MaxValue / 2);
        else if (_kind is Kind.Absolute or Kind.IndexOnly)
            _displacement = v.Random.Next(int.MinValue, int.MaxValue);
        else
            ChooseDisplacement(v);
        return Operand();
    }
}
