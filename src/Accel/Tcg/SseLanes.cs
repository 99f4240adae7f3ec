using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>Element access into a 128-bit value held in a local or a register (no copies, no bounds checks: callers index within 16 bytes).</summary>
internal static class SseLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref byte U8(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, byte>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ushort U16(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, ushort>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint U32(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, uint>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ulong U64(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, ulong>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref sbyte S8(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, sbyte>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref short S16(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, short>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref int S32(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, int>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref long S64(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, long>(ref v), i);
}
