namespace Emu.Accel.Kvm;

/// <summary>/dev/kvm is missing, not accessible, or too old; the message says which and what to do.</summary>
public sealed class KvmUnavailableException : Exception
{
    public KvmUnavailableException(string message) : base(message)
    {
    }
}
