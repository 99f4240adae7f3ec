using Microsoft.Extensions.Logging;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>Keeps what was logged, formatted, with its level and exception.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text, Exception? Exception)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Text, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
                return _entries.ToArray();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
            _entries.Add((logLevel, formatter(state, exception), exception));
    }
}
