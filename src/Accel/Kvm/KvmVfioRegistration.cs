using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>One registration of a VFIO file with the KVM-VFIO device; disposing it removes it (once).</summary>
internal sealed class KvmVfioRegistration(KvmVfioDevice owner, FileDescriptor file) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            owner.Remove(file);
    }
}
