using System.Diagnostics.CodeAnalysis;

namespace Emu.Core.Memory;

/// <summary>
/// A guest physical address. Arithmetic is checked: an offset that would wrap
/// past 2^64 throws (<see cref="Add"/>) or fails (<see cref="TryAdd"/>), because
/// wrapped addresses coming from the guest are how VMMs end up touching the
/// wrong memory.
/// </summary>
public readonly record struct GuestAddress(ulong Value) : IComparable<GuestAddress>
{
    public static GuestAddress Zero => default;

    public GuestAddress Add(ulong offset)
    {
        if (!TryAdd(offset, out GuestAddress result))
            ThrowOverflow(offset);
        return result;
    }

    public bool TryAdd(ulong offset, out GuestAddress result)
    {
        ulong sum = Value + offset;
        if (sum < Value)
        {
            result = default;
            return false;
        }
        result = new GuestAddress(sum);
        return true;
    }

    /// <summary>The distance from <paramref name="start"/> up to this address.</summary>
    public ulong OffsetFrom(GuestAddress start)
    {
        if (Value < start.Value)
            throw new ArgumentOutOfRangeException(nameof(start), $"{start} is above {this}");
        return Value - start.Value;
    }

    public bool IsAligned(ulong alignment) => (Value & (alignment - 1)) == 0;

    public int CompareTo(GuestAddress other) => Value.CompareTo(other.Value);

    public static bool operator <(GuestAddress a, GuestAddress b) => a.Value < b.Value;
    public static bool operator >(GuestAddress a, GuestAddress b) => a.Value > b.Value;
    public static bool operator <=(GuestAddress a, GuestAddress b) => a.Value <= b.Value;
    public static bool operator >=(GuestAddress a, GuestAddress b) => a.Value >= b.Value;

    public override string ToString() => $"0x{Value:x}";

    [DoesNotReturn]
    private void ThrowOverflow(ulong offset) =>
        throw new OverflowException($"guest address 0x{Value:x} + 0x{offset:x} overflows");
}
