namespace Emu.Core.Objects;

/// <summary>
/// An -object that does its work once all its properties are set (QEMU's
/// UserCreatable complete()): a memory backend allocates guest RAM there, so a
/// mistake in its options is reported before the machine is built.
/// </summary>
public interface IUserCreatable
{
    void Complete();
}
