using Microsoft.Extensions.Logging;

namespace Emu.Host.Logging;

/// <summary>
/// An <see cref="ILoggerFactory"/> that builds the real one (console output
/// to stderr) only when a message at or above <see cref="MinimumLevel"/> is
/// first logged. A VM that runs without warnings never pays for setting up
/// console logging, which is a large share of start-up time.
/// </summary>
internal sealed class DeferredLoggerFactory : ILoggerFactory
{
    private readonly Lazy<ILoggerFactory> _real;

    public DeferredLoggerFactory(LogLevel minimumLevel, Func<ILoggerFactory> create)
    {
        MinimumLevel = minimumLevel;
        _real = new Lazy<ILoggerFactory>(create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public LogLevel MinimumLevel { get; }

    internal ILoggerFactory Real => _real.Value;

    public ILogger CreateLogger(string categoryName) => new DeferredLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => _real.Value.AddProvider(provider);

    public void Dispose()
    {
        if (_real.IsValueCreated)
            _real.Value.Dispose();
    }
}
