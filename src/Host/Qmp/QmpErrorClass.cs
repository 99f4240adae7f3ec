namespace Emu.Host.Qmp;

/// <summary>QMP's error classes (the "class" member of an error reply), as QEMU's QAPI defines them.</summary>
internal static class QmpErrorClass
{
    /// <summary>Everything that has no class of its own.</summary>
    public const string GenericError = "GenericError";

    /// <summary>The command does not exist, or may not be run now (before capabilities negotiation).</summary>
    public const string CommandNotFound = "CommandNotFound";

    /// <summary>A device or object path that does not exist.</summary>
    public const string DeviceNotFound = "DeviceNotFound";

    /// <summary>A device that exists but is not active.</summary>
    public const string DeviceNotActive = "DeviceNotActive";

    /// <summary>The accelerator lacks a capability the command needs.</summary>
    public const string KvmMissingCap = "KVMMissingCap";
}
