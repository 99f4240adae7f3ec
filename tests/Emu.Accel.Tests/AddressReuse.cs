namespace Emu.Accel.Tests;

/// <summary>
/// Tests that map a page again at an address they just unmapped run alone:
/// another test mapping memory meanwhile could take the address.
/// </summary>
[CollectionDefinition(nameof(AddressReuse), DisableParallelization = true)]
public sealed class AddressReuse
{
}
