namespace Emu.Lab.Tests;

// Where the emu built from this work tree is: src/Host/bin/<configuration>/net10.0,
// the configuration being the one these tests were built with. Host paths are the same
// paths inside level 2, so level-2 jobs run it as `dotnet <EmuDll>`.
public static class LinuxBootEmu
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Emu.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"no Emu.sln above {AppContext.BaseDirectory}");
        }
    }

    // "Debug" or "Release": the directory name under bin/ these tests run from.
    static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string OutputDirectory => Path.Combine(RepositoryRoot, "src", "Host", "bin", Configuration, "net10.0");

    public static string EmuDll => Existing(Path.Combine(OutputDirectory, "emu.dll"));

    // The apphost, for running emu directly at level 1.
    public static string EmuExecutable => Existing(Path.Combine(OutputDirectory, "emu"));

    static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build src/Host ({Configuration}) first", path);
}
