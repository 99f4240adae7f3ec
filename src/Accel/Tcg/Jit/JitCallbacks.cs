using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// The entry points generated code calls in the VMM. They are
/// [UnmanagedCallersOnly]: called with the platform's C convention, with the
/// runtime's transition back into managed code. No .NET exception may unwind
/// through generated frames, so each one catches everything and reports it
/// as a status that makes the generated code return to the dispatcher.
/// </summary>
internal static unsafe class JitCallbacks
{
    /// <summary>The address generated code calls for <see cref="Interpret"/>.</summary>
    public static nint InterpretAddress => (nint)(delegate* unmanaged<nint, int, int, int>)&Interpret;

    /// <summary>
    /// Runs instruction <paramref name="opIndex"/> of compiled block
    /// <paramref name="blockId"/> with the interpreter's handler. The CPU is
    /// found through a weak GC handle (it is pinned and alive while its code runs).
    /// </summary>
    [UnmanagedCallersOnly]
    private static int Interpret(nint handle, int blockId, int opIndex)
    {
        X86Cpu cpu = Unsafe.As<X86Cpu>(GCHandle.FromIntPtr(handle).Target!);
        try
        {
            return (int)cpu.JitInterpret(blockId, opIndex);
        }
        catch (Exception e)
        {
            cpu.JitPendingException = e;
            return (int)JitStatus.ManagedException;
        }
    }
}
