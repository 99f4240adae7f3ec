using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// A vCPU's kvm_run page: the structure KVM reports exits in and reads
/// immediate_exit from, mapped from the vCPU's fd. The vCPU's own thread uses
/// it between two runs and is gone before the vCPU is disposed. Other threads
/// touch it only to kick the vCPU (<see cref="TryRequestImmediateExit"/>), and
/// a kick can race the disposal (a pause, a grace period, an IPI as the
/// machine is torn down): such a write is made only while the page is held,
/// and the page is unmapped by whoever lets go of it last, so a late kick
/// writes nothing instead of writing into an unmapped page, or into whatever
/// the kernel has mapped at that address since. Holding costs two atomic
/// operations and no lock.
/// </summary>
internal sealed unsafe class KvmRunPage : IDisposable
{
    // Kicks in progress; the sign bit once disposed. The page is unmapped
    // when it is disposed and no kick holds it.
    private const int Disposed = int.MinValue;

    private readonly MemoryMapping _mapping;
    private int _state;

    public KvmRunPage(MemoryMapping mapping) => _mapping = mapping;

    public static KvmRunPage Map(FileDescriptor vcpu, int size) =>
        new(MemoryMapping.Map(vcpu, (ulong)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, 0, "kvm_run"));

    /// <summary>The page, for the vCPU's own thread (valid until the vCPU is disposed, after the thread has ended).</summary>
    public KvmRun* Run => (KvmRun*)_mapping.Pointer;

    public int Size => (int)_mapping.Length;

    /// <summary>Whether the page is gone (disposed and no longer held).</summary>
    public bool IsUnmapped => _mapping.IsDisposed;

    /// <summary>
    /// Sets kvm_run.immediate_exit, from any thread: KVM_RUN then returns at
    /// once instead of entering the guest. False (and nothing written) once
    /// the page is disposed.
    /// </summary>
    public bool TryRequestImmediateExit()
    {
        int state;
        do
        {
            state = Volatile.Read(ref _state);
            if (state < 0)
                return false;
        }
        while (Interlocked.CompareExchange(ref _state, state + 1, state) != state);
        try
        {
            Volatile.Write(ref ((KvmRun*)_mapping.Pointer)->ImmediateExit, 1);
        }
        finally
        {
            if (Interlocked.Decrement(ref _state) == Disposed)
                _mapping.Dispose();
        }
        return true;
    }

    public void Dispose()
    {
        int state;
        do
        {
            state = Volatile.Read(ref _state);
            if (state < 0)
                return;
        }
        while (Interlocked.CompareExchange(ref _state, state | Disposed, state) != state);
        if (state == 0)
            _mapping.Dispose();
    }
}
