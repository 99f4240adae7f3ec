namespace Emu.Core.Boot;

/// <summary>How a kernel image is entered.</summary>
public enum KernelImageFormat
{
    /// <summary>A Linux bzImage through the 64-bit boot protocol.</summary>
    BzImage,

    /// <summary>An ELF kernel (vmlinux) through its PVH entry point.</summary>
    PvhElf,

    /// <summary>A Multiboot (version 1) kernel, as GRUB legacy and QEMU load them.</summary>
    Multiboot,
}
