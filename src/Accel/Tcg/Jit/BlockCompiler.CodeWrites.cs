using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// A store compiled inline that rewrites the rest of its own block: the
// instructions after it must run as rewritten (SDM vol. 3A, 11.6, self-modifying
// code), as the interpreter's CodeWriteCheck makes them. The host address the
// store went to (RSI) is compared with the host bytes the block was decoded
// from; on an overlap the block ends after the store, and the dispatcher's
// lookup finds the block stale and decodes the new bytes. Other blocks need no
// check here: each compares its bytes on entry.
internal sealed unsafe partial class BlockCompiler
{
    /// <summary>After a store of <paramref name="size"/> bytes to host address RSI by op <paramref name="op"/> (not the block's last).</summary>
    private void EmitCodeWriteCheck(ref DecodedOp op, int size)
    {
        ClobberFlags();
        int hit = _e.NewLabel(), done = _e.NewLabel();
        EmitRangeTest(_block.Host, _block.HostLength, size, hit);
        if (_block.Host2 != null)
            EmitRangeTest(_block.Host2, _block.Code.Length - _block.HostLength, size, hit);
        _e.Jmp(done);

        _e.Bind(hit);
        RegisterState here = _state;
        EmitStores(ref here);
        StoreRip(op.NextIp);
        ReturnStatus(JitStatus.Lookup);
        _e.Bind(done);
    }

    // Branches to 'hit' when [RSI, RSI + size) overlaps [host, host + length): RSI - (host - size + 1) below length + size - 1, unsigned.
    private void EmitRangeTest(byte* host, int length, int size, int hit)
    {
        if (length <= 0)
            return;
        _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, unchecked((ulong)host - (ulong)(size - 1))));
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, Register.RSI));
        _e.Emit(Instruction.Create(Code.Sub_r64_rm64, Register.RDX, Register.RAX));
        _e.Emit(Instruction.Create(Code.Cmp_rm64_imm32, Register.RDX, length + size - 1));
        _e.Jcc(ConditionCode.b, hit);
    }
}
