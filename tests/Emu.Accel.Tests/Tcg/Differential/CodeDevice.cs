using Emu.Core.Memory;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>A device whose MMIO window holds bytes the CPU may execute (a ROM-like device register file), counting the reads.</summary>
internal sealed class CodeDevice : IIoHandler
{
    public CodeDevice(int size) => Contents = new byte[size];

    public byte[] Contents { get; }

    public int Reads { get; private set; }

    public void Read(ulong offset, Span<byte> data)
    {
        Reads++;
        for (int i = 0; i < data.Length; i++)
            data[i] = offset + (ulong)i < (ulong)Contents.Length ? Contents[(int)offset + i] : (byte)0xFF;
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (offset + (ulong)i < (ulong)Contents.Length)
                Contents[(int)offset + i] = data[i];
        }
    }
}
