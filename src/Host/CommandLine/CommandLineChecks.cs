using Emu.Core.Objects;

namespace Emu.Host.CommandLine;

/// <summary>Checks of values every option shares: ids and file names.</summary>
internal static class CommandLineChecks
{
    /// <summary>An id must be well formed (<see cref="ObjectId"/>) before anything is made with it.</summary>
    public static void Id(string what, string id)
    {
        try
        {
            ObjectId.Check(id);
        }
        catch (PropertyValueException e)
        {
            throw new CommandLineException($"{what}: {e.Message}");
        }
    }

    /// <summary>
    /// A file name must be non-empty, and free of NUL (a C string ends there:
    /// the kernel would open a different file than the one named).
    /// </summary>
    public static void FileName(string what, string path)
    {
        if (path.Length == 0)
            throw new CommandLineException($"{what}: empty file name");
        if (path.Contains('\0'))
            throw new CommandLineException($"{what}: the file name contains a NUL byte");
    }
}
