namespace Emu.Core.Machines;

/// <summary>A configuration the machine cannot be built with; the message is one line for the user.</summary>
public sealed class MachineConfigurationException : Exception
{
    public MachineConfigurationException(string message) : base(message)
    {
    }

    public MachineConfigurationException(string message, Exception inner) : base(message, inner)
    {
    }
}
