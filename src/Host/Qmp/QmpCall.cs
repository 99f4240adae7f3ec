using System.Text.Json;

namespace Emu.Host.Qmp;

/// <summary>One execution of a command: the VM, the checked arguments, and where the return value goes.</summary>
internal sealed class QmpCall
{
    public QmpCall(QmpContext context, QmpArguments arguments, Utf8JsonWriter result)
    {
        Context = context;
        Arguments = arguments;
        Result = result;
    }

    public QmpContext Context { get; }

    public QmpArguments Arguments { get; }

    public Utf8JsonWriter Result { get; }
}
