using Microsoft.Extensions.Logging;

namespace Emu.Host.Logging;

/// <summary>A logger whose real logger is created on its first enabled message.</summary>
internal sealed class DeferredLogger : ILogger
{
    private readonly DeferredLoggerFactory _factory;
    private readonly string _category;
    private ILogger? _real;

    public DeferredLogger(DeferredLoggerFactory factory, string category)
    {
        _factory = factory;
        _category = category;
    }

    private ILogger Real => _real ??= _factory.Real.CreateLogger(_category);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => IsEnabled(LogLevel.Critical) ? Real.BeginScope(state) : null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _factory.MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Real.Log(logLevel, eventId, state, exception, formatter);
    }
}
