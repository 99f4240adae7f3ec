namespace Emu.Core.Tests.Acpi;

/// <summary>A theory that needs iasl and acpiexec: skipped with a reason on a developer machine without them, run (and failing) in CI.</summary>
public sealed class AcpicaTheoryAttribute : TheoryAttribute
{
    public AcpicaTheoryAttribute()
    {
        if (AcpicaTools.SkipReason is { } reason)
            Skip = reason;
    }
}
