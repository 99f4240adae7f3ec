namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// Splits a human-monitor command line into a command and its arguments
/// ("info registers -a", "x/4i $pc") and runs it. Unknown commands print a
/// line saying so, as QEMU's monitor does, rather than failing the QMP call.
/// </summary>
internal sealed class HmpInterpreter
{
    private readonly HmpCommand[] _commands =
    {
        new InfoRegistersHmp(),
        new InfoMtreeHmp(),
        new InfoPciHmp(),
        new InfoChardevHmp(),
        new ExamineHmp(),
    };

    public Task<string> RunAsync(QmpContext context, string commandLine, int cpuIndex)
    {
        string line = commandLine.Trim();
        if (line is "help" or "?")
            return Task.FromResult(Help());
        foreach (HmpCommand command in _commands)
        {
            if (Matches(line, command.Name, out string arguments))
                return command.RunAsync(context, arguments, cpuIndex);
        }
        return Task.FromResult(new HmpText().Line($"unknown command: '{line}'").ToString());
    }

    // "x/4i $pc" matches "x" with "/4i $pc"; "info pci" matches exactly or followed by a space.
    private static bool Matches(string line, string name, out string arguments)
    {
        arguments = "";
        if (!line.StartsWith(name, StringComparison.Ordinal))
            return false;
        string rest = line[name.Length..];
        if (rest.Length > 0 && rest[0] is not (' ' or '\t' or '/'))
            return false;
        arguments = rest;
        return true;
    }

    private string Help()
    {
        var text = new HmpText();
        foreach (HmpCommand command in _commands)
            text.Line(command.Usage);
        return text.ToString();
    }
}
