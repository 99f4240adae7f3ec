using Xunit.Sdk;

namespace Emu.Lab;

// Needs KVM. Where /dev/kvm works on this machine (level 1) the test runs here. Where it
// does not, the test runs inside level 2 of the nested lab, which has real KVM: the
// assembly's test framework (LabTestFramework) boots level 2 once for every such test of
// the run, runs them there with the same code and assertions, and reports each result
// here (Level2TestBatch). Only when neither KVM nor the lab is usable is the requirement
// missing: a skip with the reason off CI, a failure with CI=true.
[XunitTestCaseDiscoverer("Emu.Lab.KvmFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public class KvmFactAttribute : RequirementFactAttribute
{
    public KvmFactAttribute() : this(null)
    {
    }

    // otherMissingReason: a further requirement of the test that is missing (null when
    // met); level 2 sees this machine's files, so it is missing there too.
    protected KvmFactAttribute(string? otherMissingReason) : base(otherMissingReason)
    {
        if (otherMissingReason is not null || LabRequirements.KvmMissingReason is not { } noKvm)
            return;
        if (Level2TestRecorder.IsInsideLevel2)
            SetMissing($"{noKvm} (inside level 2, where KVM should work)");
        else if (LabRequirements.Level2MissingReason is { } noLab)
            SetMissing($"{noKvm}, and the nested lab that would run this test instead is unusable: {noLab}");
        else
            RunsInLevel2 = true;
    }

    // True when this machine has no usable KVM and the test is to run in level 2.
    public bool RunsInLevel2 { get; }
}
