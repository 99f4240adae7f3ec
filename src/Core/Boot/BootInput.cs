namespace Emu.Core.Boot;

/// <summary>Which of the user's boot inputs a <see cref="BootImageException"/> is about (-kernel, -initrd, -append).</summary>
public enum BootInput
{
    Kernel,
    Initrd,
    CommandLine,
}
