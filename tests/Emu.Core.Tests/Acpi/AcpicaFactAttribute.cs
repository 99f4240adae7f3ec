namespace Emu.Core.Tests.Acpi;

/// <summary>A fact that needs iasl and acpiexec: skipped with a reason on a developer machine without them, run (and failing) in CI.</summary>
public sealed class AcpicaFactAttribute : FactAttribute
{
    public AcpicaFactAttribute()
    {
        if (AcpicaTools.SkipReason is { } reason)
            Skip = reason;
    }
}
