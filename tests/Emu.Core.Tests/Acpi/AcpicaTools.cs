namespace Emu.Core.Tests.Acpi;

/// <summary>
/// Whether ACPICA's command-line tools are installed: iasl (compiler and
/// disassembler) and acpiexec (the ACPICA interpreter that Linux also runs,
/// as a user program), both from Debian's acpica-tools. On a developer
/// machine without them the tests that need them are skipped with a visible
/// reason; in CI (CI=true) they run regardless and fail loudly, so a missing
/// tool never turns into a silent pass.
/// </summary>
internal static class AcpicaTools
{
    public const string InstallHint = "install Debian's acpica-tools: apt-get install -y acpica-tools";

    private static readonly Lazy<string?> s_iasl = new(() => Find("iasl"));
    private static readonly Lazy<string?> s_acpiexec = new(() => Find("acpiexec"));

    public static string? IaslPath => s_iasl.Value;

    public static string? AcpiexecPath => s_acpiexec.Value;

    public static bool InCi =>
        Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Null when the tests must run; otherwise why they are skipped.</summary>
    public static string? SkipReason =>
        (IaslPath != null && AcpiexecPath != null) || InCi ? null : $"iasl/acpiexec not found on PATH ({InstallHint}); skipped outside CI";

    /// <summary>The tool's path, or an exception that says how to install it (what a CI run without the tools sees).</summary>
    public static string Require(string? path, string tool) =>
        path ?? throw new InvalidOperationException($"{tool} is required (CI={Environment.GetEnvironmentVariable("CI")}) but not on PATH; {InstallHint}");

    private static string? Find(string tool)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path == null)
            return null;
        foreach (string directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
