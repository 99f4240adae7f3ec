using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// The sixteen general registers, stored inside the CPU object (not in an
/// array of their own), so that an access is one offset from the CPU and code
/// compiled by the JIT reaches them from the same base register as the rest
/// of the CPU's state.
/// </summary>
[InlineArray(16)]
internal struct GprFile
{
    private ulong _element0;
}
