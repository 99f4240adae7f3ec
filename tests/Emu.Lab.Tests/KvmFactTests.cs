using Emu.Lab;

namespace Emu.Lab.Tests;

public class KvmFactTests
{
    // Runs only where /dev/kvm works (skipped elsewhere, failed on CI without it).
    [KvmFact]
    public void Kvm_is_usable_at_level_1() => Assert.Null(LabRequirements.KvmMissingReason);
}
