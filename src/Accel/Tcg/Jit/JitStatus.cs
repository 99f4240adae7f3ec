namespace Emu.Accel.Tcg.Jit;

/// <summary>Why generated code returned to the dispatcher (in EAX), or what a callback tells generated code to do.</summary>
internal enum JitStatus
{
    /// <summary>From a callback: carry on with the block.</summary>
    Continue = 0,

    /// <summary>A direct exit whose jump is not patched yet: the dispatcher may chain it (block and exit in the context).</summary>
    Link = 1,

    /// <summary>RIP is set; the next block is found by the dispatcher (indirect branches, after a block-ending instruction ran in the interpreter).</summary>
    Lookup = 2,

    /// <summary>At a block's entry: another thread wants the CPU, or the block budget of this step is used up. RIP is the block's start.</summary>
    Attention = 3,

    /// <summary>At a block's entry: guest memory no longer holds the bytes the block was compiled from.</summary>
    Stale = 4,

    /// <summary>An instruction run through the interpreter raised a guest exception (recorded in the CPU's exception object).</summary>
    Fault = 5,

    /// <summary>An instruction run through the interpreter asked to end the block (REP to continue, HLT, a mode change).</summary>
    Stop = 6,

    /// <summary>A callback caught a .NET exception that is not a guest exception; the dispatcher rethrows it.</summary>
    ManagedException = 7,
}
