namespace Emu.Core.Boot;

/// <summary>What the user asked to boot directly: -kernel, -initrd and -append, already read from their files.</summary>
public sealed record KernelBootRequest(byte[] Kernel, byte[]? Initrd, string CommandLine);
