namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// A test that shows a bug of the software CPU whose fix belongs in a file this
/// branch leaves to other work (see <see cref="KnownIssue"/>): skipped, with
/// the bug and the file in the skip reason, unless EMU_DIFFTEST_KNOWN_BUGS=1,
/// when it runs (and fails until the bug is fixed).
/// </summary>
public sealed class KnownBugFactAttribute : FactAttribute
{
    public KnownBugFactAttribute(string file, string bug)
    {
        if (Environment.GetEnvironmentVariable("EMU_DIFFTEST_KNOWN_BUGS") != "1")
            Skip = $"KNOWN BUG, fix in {file}: {bug} (EMU_DIFFTEST_KNOWN_BUGS=1 runs it)";
    }
}
