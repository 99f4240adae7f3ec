using System.Buffers.Binary;

namespace Emu.Core.Pci;

/// <summary>
/// A function's configuration space (256 bytes, or 4 KiB for PCI Express) with,
/// for every bit, whether the guest may write it and whether writing 1 clears
/// it (status bits). Devices set up registers with the Set* methods, which
/// ignore the masks; guest writes go through <see cref="Write"/>, which applies them.
/// </summary>
public sealed class PciConfigSpace
{
    private readonly byte[] _data;
    private readonly byte[] _writable;
    private readonly byte[] _writeOneToClear;

    public PciConfigSpace(int size)
    {
        if (size != 256 && size != 4096)
            throw new ArgumentOutOfRangeException(nameof(size));
        _data = new byte[size];
        _writable = new byte[size];
        _writeOneToClear = new byte[size];
    }

    public int Size => _data.Length;

    public ReadOnlySpan<byte> Bytes => _data;

    public byte GetByte(int offset) => _data[offset];

    public ushort GetWord(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset));

    public uint GetDword(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset));

    public void SetByte(int offset, byte value) => _data[offset] = value;

    public void SetWord(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_data.AsSpan(offset), value);

    public void SetDword(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_data.AsSpan(offset), value);

    public void SetWritable(int offset, int length, uint mask)
    {
        for (int i = 0; i < length; i++)
            _writable[offset + i] = (byte)(mask >> (8 * i));
    }

    public void SetWriteOneToClear(int offset, int length, uint mask)
    {
        for (int i = 0; i < length; i++)
            _writeOneToClear[offset + i] = (byte)(mask >> (8 * i));
    }

    public uint WritableMask(int offset, int length)
    {
        uint mask = 0;
        for (int i = 0; i < length; i++)
            mask |= (uint)_writable[offset + i] << (8 * i);
        return mask;
    }

    /// <summary>Reads 1, 2 or 4 bytes (little-endian); out-of-range bytes read as all ones.</summary>
    public uint Read(int offset, int length)
    {
        uint value = 0;
        for (int i = 0; i < length; i++)
        {
            int o = offset + i;
            uint b = (uint)o < (uint)_data.Length ? _data[o] : 0xFFu;
            value |= b << (8 * i);
        }
        return value;
    }

    /// <summary>
    /// Takes from <paramref name="saved"/> (a migration stream's copy of this
    /// function's config space) the bits the guest can change: the writable
    /// and write-one-to-clear ones. The rest stays as this function has it.
    /// </summary>
    public void LoadGuestBits(ReadOnlySpan<byte> saved)
    {
        if (saved.Length != _data.Length)
            throw new ArgumentException("config space sizes differ", nameof(saved));
        for (int i = 0; i < _data.Length; i++)
        {
            byte guest = (byte)(_writable[i] | _writeOneToClear[i]);
            _data[i] = (byte)((_data[i] & ~guest) | (saved[i] & guest));
        }
    }

    /// <summary>A guest write: only writable bits change; write-one-to-clear bits clear where 1 is written.</summary>
    public void Write(int offset, int length, uint value)
    {
        for (int i = 0; i < length; i++)
        {
            int o = offset + i;
            if ((uint)o >= (uint)_data.Length)
                return;
            byte v = (byte)(value >> (8 * i));
            byte w = _writable[o];
            byte c = _writeOneToClear[o];
            _data[o] = (byte)(((_data[o] & ~w) | (v & w)) & ~(v & c));
        }
    }
}
