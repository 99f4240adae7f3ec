namespace Emu.Lab;

// Base of every failure the harness reports.
public class LabException : Exception
{
    public LabException(string message) : base(message) { }
    public LabException(string message, Exception inner) : base(message, inner) { }
}

// The machine lacks something the lab needs (see LabEnvironment.Missing).
public sealed class LabUnavailableException(string message) : LabException(message);

// Level 2 did not finish its jobs: it timed out, the kernel or init died, or QEMU failed.
// Result holds everything captured up to that point (console, job outputs so far).
public sealed class LabRunException(string message, Level2Result result) : LabException(message)
{
    public Level2Result Result { get; } = result;
}
