namespace Emu.Host.Qmp;

/// <summary>
/// A QMP command: its name, its declared arguments, and what it does. A
/// command writes its return value to <see cref="QmpCall.Result"/> (nothing
/// written means <c>{}</c>) or throws <see cref="QmpException"/>. Commands run
/// on thread-pool threads and never wait for a vCPU thread synchronously.
/// </summary>
internal abstract class QmpCommand
{
    public abstract string Name { get; }

    public virtual IReadOnlyList<QmpParameter> Parameters => Array.Empty<QmpParameter>();

    /// <summary>True for commands that take free-form members (device_add's device properties).</summary>
    public virtual bool AcceptsExtraArguments => false;

    /// <summary>
    /// True for commands that change the machine's configuration (device_add,
    /// qom-set...); those run one at a time across all clients.
    /// </summary>
    public virtual bool Exclusive => false;

    public abstract ValueTask ExecuteAsync(QmpCall call);
}
