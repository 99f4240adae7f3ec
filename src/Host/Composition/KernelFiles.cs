using Emu.Core.Boot;
using Emu.Host.CommandLine;

namespace Emu.Host.Composition;

/// <summary>
/// Opens -kernel and -initrd for a direct kernel boot, with one-line errors
/// naming the option and the file. What the files contain is checked when
/// the machine plans the boot (<see cref="DirectKernelBoot"/>), which reads
/// them into guest RAM at every reset rather than keeping copies.
/// </summary>
internal static class KernelFiles
{
    /// <summary>Opens the files; the machine that gets the request closes them.</summary>
    public static KernelBootRequest Open(EmuOptions options, ulong ramSize)
    {
        string kernel = options.Kernel ?? throw new InvalidOperationException("no -kernel");
        BootFile image = OpenFile("-kernel", kernel, ramSize);
        try
        {
            BootFile? initrd = options.Initrd != null ? OpenFile("-initrd", options.Initrd, ramSize) : null;
            return new KernelBootRequest(image, initrd, options.Append ?? "");
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>The option and file a boot input came from, to prefix a <see cref="BootImageException"/>.</summary>
    public static string Describe(EmuOptions options, BootInput input) => input switch
    {
        BootInput.Kernel => $"-kernel {options.Kernel}",
        BootInput.Initrd => $"-initrd {options.Initrd}",
        _ => "-append",
    };

    private static BootFile OpenFile(string option, string path, ulong ramSize)
    {
        try
        {
            if (Directory.Exists(path))
                throw new CommandLineException($"{option} {path}: is a directory");
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new CommandLineException($"{option} {path}: no such file");
            if (info.Length == 0)
                throw new CommandLineException($"{option} {path}: the file is empty");
            // Anything larger than RAM cannot be loaded, whatever it is.
            if ((ulong)info.Length > ramSize)
                throw new CommandLineException($"{option} {path}: {info.Length >> 20} MiB does not fit in the machine's {ramSize >> 20} MiB of RAM (-m)");
            return BootFile.Open(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CommandLineException($"{option} {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new CommandLineException($"{option} {path}: {e.Message}");
        }
    }
}
