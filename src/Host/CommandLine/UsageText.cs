namespace Emu.Host.CommandLine;

/// <summary>The -help text.</summary>
public static class UsageText
{
    public const string Text = """
usage: emu [options]

Boots an x86-64 virtual machine on KVM. With no options it boots the built-in
firmware, prints its self-test on the console and exits with its status.

Machine:
  -machine, -M TYPE[,prop=value...]  machine type (q35, default); -machine help lists them
  -accel kvm[,device=PATH]    accelerator (KVM is the only one on Linux; device defaults to /dev/kvm);
                              -enable-kvm is the same
  -cpu host                   CPU model (the host's, as KVM offers it)
  -smp N[,cpus=N]             number of vCPUs (default 1)
  -m SIZE                     RAM size; plain numbers are MiB, or use K/M/G suffixes (default 128M)
  -machine memory-backend=ID  guest RAM from -object memory-backend-*,id=ID (-m may then be left out)
  -global TYPE.PROP=VALUE     default for a property of every object of TYPE

Boot:
  -bios FILE                  firmware ROM at the reset vector (a multiple of 64 KiB)
  -kernel FILE                Linux bzImage or PVH ELF kernel to boot directly
  -initrd FILE                initial ramdisk for -kernel
  -append CMDLINE             kernel command line
  -fw_cfg name=NAME,string=STR | name=NAME,file=FILE
                              an item for the guest's firmware configuration interface

Devices and backends:
  -device DRIVER[,prop=value...]  add a device; -device help lists drivers, -device DRIVER,help their properties
  -drive file=PATH,format=raw,if=none|virtio,id=ID[,readonly=on][,cache=none]
  -netdev tap,id=ID,ifname=NAME,script=no,downscript=no
  -chardev BACKEND,id=ID[,...]    stdio, null, file (path=), socket (path= or host=,port=, server=on,wait=off)
  -serial DEV                 stdio (default), null, none, file:PATH, chardev:ID,
                              unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off
  -object TYPE,id=ID[,...]    create a backend object: iommufd, memory-backend-ram,
                              memory-backend-memfd (size=,share=on,hugetlb=on),
                              memory-backend-file (size=,mem-path=PATH,share=on); -object help

Control:
  -qmp unix:PATH,server=on,wait=off | tcp:HOST:PORT,server=on,wait=off
                              QMP control socket
  -S                          start with the vCPUs paused (QMP 'cont' starts them)
  -incoming URI | defer       wait for the VM's state from a migration or a snapshot: unix:PATH,
                              tcp:HOST:PORT, file:PATH; defer waits for QMP migrate-incoming
  -no-reboot                  exit instead of rebooting when the guest resets
  -nographic, -display none   accepted; emu never opens a window
  -name NAME                  guest name
  -pidfile FILE               write the process id to FILE
  -version                    print the version
  -h, -help                   this text

Exit status: 0 when the guest powers off; (V << 1) | 1 when the guest writes V
to isa-debug-exit; 1 on a start-up error; 2 when the guest crashes its CPU.
""";
}
