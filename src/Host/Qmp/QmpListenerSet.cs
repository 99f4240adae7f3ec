namespace Emu.Host.Qmp;

/// <summary>The sockets of every -qmp option, bound at start-up before the machine is built.</summary>
internal sealed class QmpListenerSet : IDisposable
{
    private QmpListenerSet(IReadOnlyList<QmpListener> listeners) => Listeners = listeners;

    public IReadOnlyList<QmpListener> Listeners { get; }

    public static QmpListenerSet Bind(IEnumerable<string> specs)
    {
        QmpEndpoint[] endpoints = specs.Select(QmpEndpoint.Parse).ToArray();
        var listeners = new List<QmpListener>();
        try
        {
            foreach (QmpEndpoint endpoint in endpoints)
                listeners.Add(QmpListener.Bind(endpoint));
        }
        catch
        {
            foreach (QmpListener listener in listeners)
                listener.Dispose();
            throw;
        }
        return new QmpListenerSet(listeners);
    }

    public void Dispose()
    {
        foreach (QmpListener listener in Listeners)
            listener.Dispose();
    }
}
