namespace Emu.Core.Tests.Posix;

/// <summary>
/// Tests that watch which number the kernel gives the next descriptor run
/// alone: another test opening a file meanwhile would take the number.
/// </summary>
[CollectionDefinition(nameof(DescriptorNumbers), DisableParallelization = true)]
public sealed class DescriptorNumbers
{
}
