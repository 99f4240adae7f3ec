namespace Emu.Devices.Virtio;

/// <summary>
/// A chain taken from a virtqueue, flattened (indirect tables expanded) and
/// validated: device-readable buffers first, then device-writable ones
/// (virtio 1.2 section 2.7.4.2). The device must not rely on how the driver
/// split a message into buffers (2.6.4, message framing), so requests are
/// read and written through byte offsets across the buffers.
/// One instance per queue is reused for every request: nothing is allocated.
/// </summary>
public sealed class DescriptorChain
{
    private readonly VirtqSegment[] _segments;

    public DescriptorChain(int capacity)
    {
        _segments = new VirtqSegment[capacity];
    }

    /// <summary>The head descriptor index: what goes back in the used ring.</summary>
    public ushort Head { get; private set; }

    public int Count { get; private set; }

    /// <summary>Index of the first device-writable buffer (== <see cref="Count"/> when there is none).</summary>
    public int FirstWritable { get; private set; }

    public ulong ReadableLength { get; private set; }

    public ulong WritableLength { get; private set; }

    public int Capacity => _segments.Length;

    public ref readonly VirtqSegment this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index));
            return ref _segments[index];
        }
    }

    internal void Reset(ushort head)
    {
        Head = head;
        Count = 0;
        FirstWritable = 0;
        ReadableLength = 0;
        WritableLength = 0;
    }

    // The caller has checked the capacity, the length and the order of directions.
    internal void Add(in VirtqSegment segment)
    {
        _segments[Count++] = segment;
        if (segment.Writable)
        {
            WritableLength += segment.Length;
        }
        else
        {
            ReadableLength += segment.Length;
            FirstWritable = Count;
        }
    }

    /// <summary>Copies device-readable bytes from <paramref name="offset"/> into <paramref name="destination"/>; returns how many there were.</summary>
    public int ReadFrom(ulong offset, Span<byte> destination)
    {
        int copied = 0;
        for (int i = 0; i < FirstWritable && copied < destination.Length; i++)
        {
            ref readonly VirtqSegment s = ref _segments[i];
            if (offset >= s.Length)
            {
                offset -= s.Length;
                continue;
            }
            Span<byte> source = s.Span.Slice((int)offset);
            int n = Math.Min(source.Length, destination.Length - copied);
            source.Slice(0, n).CopyTo(destination.Slice(copied));
            copied += n;
            offset = 0;
        }
        return copied;
    }

    /// <summary>Copies <paramref name="source"/> into the device-writable bytes from <paramref name="offset"/>; returns how many fitted.</summary>
    public int WriteTo(ulong offset, ReadOnlySpan<byte> source)
    {
        int copied = 0;
        for (int i = FirstWritable; i < Count && copied < source.Length; i++)
        {
            ref readonly VirtqSegment s = ref _segments[i];
            if (offset >= s.Length)
            {
                offset -= s.Length;
                continue;
            }
            Span<byte> destination = s.Span.Slice((int)offset);
            int n = Math.Min(destination.Length, source.Length - copied);
            source.Slice(copied, n).CopyTo(destination);
            copied += n;
            offset = 0;
        }
        return copied;
    }

    /// <summary>Zeroes <paramref name="length"/> device-writable bytes from <paramref name="offset"/>; returns how many there were.</summary>
    public ulong ZeroWritable(ulong offset, ulong length)
    {
        ulong done = 0;
        for (int i = FirstWritable; i < Count && done < length; i++)
        {
            ref readonly VirtqSegment s = ref _segments[i];
            if (offset >= s.Length)
            {
                offset -= s.Length;
                continue;
            }
            Span<byte> destination = s.Span.Slice((int)offset);
            int n = (int)Math.Min((ulong)destination.Length, length - done);
            destination.Slice(0, n).Clear();
            done += (ulong)n;
            offset = 0;
        }
        return done;
    }
}
