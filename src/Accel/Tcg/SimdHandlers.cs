namespace Emu.Accel.Tcg;

/// <summary>
/// The x87, MMX and SSE instructions' entries in the handler table (the
/// general-purpose ones are in <see cref="HandlerTable"/>).
/// </summary>
internal static unsafe class SimdHandlers
{
    public static void Register(delegate*<X86Cpu, ref DecodedOp, void>[] table)
    {
        _ = table;
    }
}
