namespace Emu.Core.Boot;

/// <summary>
/// What the user asked to boot directly: -kernel, -initrd and -append, the
/// files opened. Whoever builds the machine hands the files over to it; the
/// machine closes them when it is disposed.
/// </summary>
public sealed record KernelBootRequest(BootFile Kernel, BootFile? Initrd, string CommandLine);
