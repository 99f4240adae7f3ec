using System.Buffers.Binary;
using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Writes host code into the executable memory: instructions through Iced's
/// encoder (allocation-free: a reused encoder writing byte by byte through
/// <see cref="EmitterWriter"/>), branches as raw rel32 jumps to labels that
/// are resolved when the block is finished. Writing past the end of the cache
/// sets <see cref="Overflow"/> instead of writing; the block is then thrown
/// away and the cache flushed.
/// </summary>
internal sealed unsafe class CodeEmitter
{
    private readonly ExecutableMemory _memory;
    private readonly Encoder _encoder;
    private readonly Encoder _probe = Encoder.Create(64, new DiscardingCodeWriter());
    private readonly List<int> _labels = new();
    private readonly List<(int Site, int Label)> _fixups = new();
    private int _position;

    public CodeEmitter(ExecutableMemory memory)
    {
        _memory = memory;
        _encoder = Encoder.Create(64, new EmitterCodeWriter(this));
    }

    public int Position => _position;

    public int Capacity => _memory.Size;

    public bool Overflow { get; private set; }

    /// <summary>Where <paramref name="position"/> is in the executable view.</summary>
    public nint Address(int position) => (nint)(_memory.Executable + position);

    /// <summary>Starts writing at <paramref name="position"/> (a new block, or after a flush).</summary>
    public void Reset(int position)
    {
        _position = position;
        Overflow = false;
        _labels.Clear();
        _fixups.Clear();
    }

    public void Byte(byte value)
    {
        if (_position < _memory.Size)
            _memory.Writable[_position] = value;
        else
            Overflow = true;
        _position++;
    }

    public void Int32(int value)
    {
        Byte((byte)value);
        Byte((byte)(value >> 8));
        Byte((byte)(value >> 16));
        Byte((byte)(value >> 24));
    }

    /// <summary>Encodes one host instruction (the caller built a valid one: a failure is a compiler bug).</summary>
    public void Emit(in Instruction instruction)
    {
        if (!_encoder.TryEncode(in instruction, (ulong)Address(_position), out _, out string? error))
            throw new InvalidOperationException($"jit: cannot encode {instruction}: {error}");
    }

    /// <summary>Whether Iced can encode <paramref name="instruction"/> (checked before a rewritten guest instruction is committed).</summary>
    public bool CanEncode(in Instruction instruction) => _probe.TryEncode(in instruction, 0x1000, out _, out _);

    public int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    public void Bind(int label) => _labels[label] = _position;

    public bool IsBound(int label) => _labels[label] >= 0;

    /// <summary>JMP rel32 to a label.</summary>
    public void Jmp(int label)
    {
        Byte(0xE9);
        Rel32(label);
    }

    /// <summary>Jcc rel32 to a label (0F 80+cc).</summary>
    public void Jcc(ConditionCode condition, int label)
    {
        Byte(0x0F);
        Byte((byte)(0x80 | Nibble(condition)));
        Rel32(label);
    }

    /// <summary>JMP rel32 to code already in the cache; returns where the rel32 is (a patchable link).</summary>
    public int JmpTo(nint target)
    {
        Byte(0xE9);
        int site = _position;
        Int32(Relative(site, target));
        return site;
    }

    /// <summary>Jcc rel32 to code already in the cache.</summary>
    public void JccTo(ConditionCode condition, nint target)
    {
        Byte(0x0F);
        Byte((byte)(0x80 | Nibble(condition)));
        Int32(Relative(_position, target));
    }

    /// <summary>The rel32 that makes the jump whose displacement is at <paramref name="site"/> land on <paramref name="target"/>.</summary>
    public int Relative(int site, nint target) => checked((int)(target - (Address(site) + 4)));

    /// <summary>Points the rel32 at <paramref name="site"/> at <paramref name="target"/> (linking and unlinking blocks).</summary>
    public void Patch(int site, nint target)
    {
        int rel = Relative(site, target);
        BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(_memory.Writable + site, 4), rel);
    }

    /// <summary>Fills in every rel32 to a label; false when a label was never bound (a compiler bug).</summary>
    public bool ResolveLabels()
    {
        foreach ((int site, int label) in _fixups)
        {
            int target = _labels[label];
            if (target < 0)
                return false;
            if (site + 4 <= _memory.Size)
                BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(_memory.Writable + site, 4), target - (site + 4));
        }
        _fixups.Clear();
        return true;
    }

    private void Rel32(int label)
    {
        _fixups.Add((_position, label));
        Int32(0);
    }

    // Iced numbers conditions o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g from 1; the opcode nibble counts from 0.
    private static int Nibble(ConditionCode condition) => (int)condition - 1;

}
