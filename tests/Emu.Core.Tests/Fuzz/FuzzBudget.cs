namespace Emu.Tests.Fuzz;

/// <summary>
/// How long the CsCheck fuzz properties run. In the normal test run each
/// property tries a bounded number of random cases (a few seconds);
/// EMU_FUZZ_SECONDS=N makes each run for N seconds instead, e.g.
/// <c>EMU_FUZZ_SECONDS=600 dotnet test tests/Emu.Devices.Tests -c Release --filter Category=Fuzz</c>.
/// A failure prints the case and the seed; CsCheck_Seed=SEED replays it.
/// </summary>
internal static class FuzzBudget
{
    public const string Variable = "EMU_FUZZ_SECONDS";

    /// <summary>Seconds per property when set, else -1 (CsCheck's "use iterations").</summary>
    public static int Seconds => int.TryParse(Environment.GetEnvironmentVariable(Variable), out int s) && s > 0 ? s : -1;

    /// <summary>Cases per property in the normal run (ignored when <see cref="Seconds"/> is set).</summary>
    public static long Iterations(long normal) => Seconds > 0 ? long.MaxValue : normal;
}
