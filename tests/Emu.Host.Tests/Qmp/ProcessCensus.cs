namespace Emu.Host.Tests.Qmp;

/// <summary>What a process holds, from /proc: open descriptors, threads, and threads by name.</summary>
internal sealed record ProcessCensus(int Descriptors, int Threads, IReadOnlyList<string> ThreadNames)
{
    public static ProcessCensus Of(int pid)
    {
        int descriptors = Directory.GetFiles($"/proc/{pid}/fd").Length;
        var names = new List<string>();
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return new ProcessCensus(descriptors, names.Count, names);
    }

    /// <summary>Threads whose name starts with <paramref name="prefix"/> (Linux keeps 15 characters of it).</summary>
    public int Named(string prefix) => ThreadNames.Count(n => n.StartsWith(prefix, StringComparison.Ordinal));

    public override string ToString() => $"{Descriptors} descriptors, {Threads} threads";
}
