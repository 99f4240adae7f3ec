namespace Emu.Lab;

/// <summary>
/// The accelerator the current [AccelFact] test case runs its guests on ("tcg"
/// or "kvm"), for the helpers that start emu: they pass "-accel NAME". Null in
/// other tests, which then get emu's default.
/// </summary>
public static class TestAccelerator
{
    private static readonly AsyncLocal<string?> s_current = new();

    public static string? Current
    {
        get => s_current.Value;
        internal set => s_current.Value = value;
    }

    /// <summary>"-accel NAME" for the current test case (nothing outside [AccelFact] tests, or when the arguments already choose one).</summary>
    public static IEnumerable<string> ArgumentsFor(IReadOnlyCollection<string> emuArguments) =>
        Current is { } name && !emuArguments.Contains("-accel") && !emuArguments.Any(a => a.StartsWith("accel=", StringComparison.Ordinal))
            ? ["-accel", name]
            : [];
}
