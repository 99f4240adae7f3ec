namespace Emu.Core.Posix;

/// <summary>
/// A reference held on a <see cref="FileDescriptor"/> while its number is in
/// use outside the marshaller's reach (inside a structure handed to the
/// kernel): the descriptor cannot be closed, nor its number reused, until the
/// lease is disposed. Allocation-free.
/// </summary>
public ref struct FileDescriptorLease
{
    private readonly FileDescriptor? _handle;
    private bool _held;

    internal FileDescriptorLease(FileDescriptor handle)
    {
        _handle = handle;
        _held = false;
        handle.DangerousAddRef(ref _held);
        Fd = (int)handle.DangerousGetHandle();
    }

    /// <summary>The descriptor number, valid while the lease lives.</summary>
    public int Fd { get; }

    public void Dispose()
    {
        if (_held)
        {
            _held = false;
            _handle!.DangerousRelease();
        }
    }
}
