namespace Emu.Accel.Tcg.Jit;

/// <summary>How the compiler turns one guest instruction into host code.</summary>
internal enum OpPlan : byte
{
    /// <summary>A call to the interpreter's handler for it.</summary>
    Fallback,

    /// <summary>No code at all (NOP and the hints).</summary>
    Nothing,

    /// <summary>The instruction itself, re-encoded with host registers and a host memory operand.</summary>
    Generic,

    Push,
    Pop,
    JmpNear,
    JmpIndirect,
    Jcc,
    CallNear,
    CallIndirect,
    Ret,
}
