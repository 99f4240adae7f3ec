using Xunit;

namespace Emu.Lab;

// A [Fact] that needs something of the machine. When the requirement is missing:
// off CI the test is skipped with the reason shown; with CI=true it fails with the
// reason instead (a CI machine must have everything). xunit 2 has no dynamic skip, so
// the attribute sets Skip in its constructor and a discoverer turns the CI case into a
// failing test case.
public abstract class RequirementFactAttribute : FactAttribute
{
    protected RequirementFactAttribute(string? missingReason) => SetMissing(missingReason);

    // Set when the test must fail without running (CI and the requirement is missing).
    public string? FailureReason { get; private set; }

    // Marks the requirement missing: a skip off CI, a failure with CI=true.
    protected void SetMissing(string? missingReason)
    {
        if (missingReason is null)
            return;
        if (LabEnvironment.IsCi)
            FailureReason = $"{missingReason} [CI=true: a missing prerequisite is a failure, not a skip]";
        else
            Skip = missingReason;
    }
}
