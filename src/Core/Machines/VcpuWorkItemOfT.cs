using Emu.Core.Cpu;

namespace Emu.Core.Machines;

/// <summary>A <see cref="VcpuWorkItem"/> that produces a <typeparamref name="T"/>.</summary>
internal sealed class VcpuWorkItem<T> : VcpuWorkItem
{
    private readonly Func<IVcpu, T> _work;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public VcpuWorkItem(Func<IVcpu, T> work) => _work = work;

    public Task<T> Task => _completion.Task;

    public override void Execute(IVcpu vcpu)
    {
        try
        {
            _completion.TrySetResult(_work(vcpu));
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception reason) => _completion.TrySetException(reason);
}
