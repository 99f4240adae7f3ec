using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// The guest register cache: a guest register is loaded into a home (R8..R15)
// the first time the block reads it and stays there; a written home is
// stored back at exits, before calls into the interpreter, and when it is
// evicted for another register. Guest values in homes are always the full
// 64 bits, so an 8-, 16- or 32-bit guest operand is the home's register of
// that size, and the host instruction merges or zero-extends exactly as the
// guest's would.
internal sealed unsafe partial class BlockCompiler
{
    /// <summary>
    /// The home of guest register <paramref name="guest"/>, allocating one if
    /// needed (evicting the least recently used home that the current
    /// instruction does not use); its value is loaded when <paramref name="load"/>.
    /// The home stays locked until the next instruction.
    /// </summary>
    private int Home(int guest, bool load)
    {
        int h = _state.HomeOfGuest[guest];
        if (h < 0)
        {
            h = PickHome();
            int old = _state.GuestOfHome[h];
            if (old >= 0)
            {
                if ((_state.Dirty & (1 << old)) != 0)
                    StoreHome(h, old);
                _state.Dirty &= (ushort)~(1 << old);
                _state.HomeOfGuest[old] = -1;
            }
            _state.GuestOfHome[h] = (sbyte)guest;
            _state.HomeOfGuest[guest] = (sbyte)h;
            if (load)
                LoadHome(h, guest);
        }
        _state.LastUse[h] = ++_clock;
        _locked |= 1 << h;
        return h;
    }

    private int PickHome()
    {
        int best = -1;
        for (int h = 0; h < RegisterState.Homes; h++)
        {
            if ((_locked & (1 << h)) != 0)
                continue;
            if (_state.GuestOfHome[h] < 0)
                return h;
            if (best < 0 || _state.LastUse[h] < _state.LastUse[best])
                best = h;
        }
        if (best < 0)
            throw new InvalidOperationException("jit: every home is in use by one instruction");
        return best;
    }

    private void MarkDirty(int guest) => _state.Dirty |= (ushort)(1 << guest);

    /// <summary>Stores every dirty home (the CPU's registers are then complete); <paramref name="clean"/> marks them stored.</summary>
    private void WriteBack(bool clean)
    {
        EmitStores(ref _state);
        if (clean)
            _state.Dirty = 0;
    }

    private void EmitStores(ref RegisterState s)
    {
        for (int g = 0; g < 16; g++)
        {
            if ((s.Dirty & (1 << g)) != 0)
                StoreHome(s.HomeOfGuest[g], g);
        }
    }

    /// <summary>Loads every cached register of <paramref name="s"/> from the CPU (after the interpreter may have changed them).</summary>
    private void EmitLoads(ref RegisterState s)
    {
        for (int h = 0; h < RegisterState.Homes; h++)
        {
            if (s.GuestOfHome[h] >= 0)
                LoadHome(h, s.GuestOfHome[h]);
        }
    }

    /// <summary>Drops the cache (after the interpreter ran an instruction, any guest register may differ).</summary>
    private void Forget()
    {
        FlagsLocation flags = FlagsLocation.Slot;
        _state = RegisterState.Entry;
        _state.Flags = flags;
        _locked = 0;
    }

    private void StoreHome(int h, int guest) =>
        _e.Emit(Instruction.Create(Code.Mov_rm64_r64, GprMemory(guest), HomeRegister(h, 8)));

    private void LoadHome(int h, int guest) =>
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, HomeRegister(h, 8), GprMemory(guest)));

    private MemoryOperand GprMemory(int guest) => new(Register.RBX, _layout.Gpr(guest));

    /// <summary>The host register of home <paramref name="h"/> at an operand size of 1, 2, 4 or 8 bytes.</summary>
    private static Register HomeRegister(int h, int size) => size switch
    {
        1 => Register.R8L + h,
        2 => Register.R8W + h,
        4 => Register.R8D + h,
        _ => Register.R8 + h,
    };

    /// <summary>A scratch register (RAX, RCX, RDX, RSI, RDI numbered 0, 1, 2, 6, 7) at an operand size.</summary>
    private static Register Scratch(int number, int size) => size switch
    {
        1 => number switch { 0 => Register.AL, 1 => Register.CL, 2 => Register.DL, 6 => Register.SIL, _ => Register.DIL },
        2 => Register.AX + number,
        4 => Register.EAX + number,
        _ => Register.RAX + number,
    };
}
