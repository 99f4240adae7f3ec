using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// The guest's arithmetic flags between host instructions (FlagsLocation).
// The compact slot is two bytes in the CPU: the low one is OF (0 or 1), the
// high one is what LAHF gives (SF ZF 0 AF 0 PF 1 CF, RFLAGS bits 7:0). Saving
// is LAHF, SETO AL and a 16-bit store, which leave RFLAGS unchanged; restoring
// is a 16-bit load, ADD AL, 0x7F (sets OF exactly when AL was 1: 0x7F + 1
// overflows into the sign bit) and SAHF (the other five, leaving OF). The
// dispatcher converts between the slot and the interpreter's lazy flags.
internal sealed partial class BlockCompiler
{
    /// <summary>Makes the slot hold the flags (when only host RFLAGS does); RFLAGS keeps them too.</summary>
    private void SaveFlags()
    {
        if (_state.Flags != FlagsLocation.Host)
            return;
        _e.Emit(Instruction.Create(Code.Lahf));
        _e.Emit(Instruction.Create(Code.Seto_rm8, Register.AL));
        _e.Emit(Instruction.Create(Code.Mov_rm16_r16, Field(_layout.Flags), Register.AX));
        _state.Flags = FlagsLocation.Both;
    }

    /// <summary>Before host code that changes RFLAGS for its own purposes: the flags are kept in the slot.</summary>
    private void ClobberFlags()
    {
        SaveFlags();
        _state.Flags = FlagsLocation.Slot;
    }

    /// <summary>Before a host instruction that reads the guest flags or leaves some of them as they were.</summary>
    private void NeedFlags()
    {
        if (_state.Flags != FlagsLocation.Slot)
            return;
        EmitRestoreFlags();
        _state.Flags = FlagsLocation.Both;
    }

    private void EmitRestoreFlags()
    {
        _e.Emit(Instruction.Create(Code.Mov_r16_rm16, Register.AX, Field(_layout.Flags)));
        _e.Emit(Instruction.Create(Code.Add_rm8_imm8, Register.AL, 0x7F));
        _e.Emit(Instruction.Create(Code.Sahf));
    }

    /// <summary>After a host instruction that computed (some of) the guest flags.</summary>
    private void FlagsWritten() => _state.Flags = FlagsLocation.Host;
}
