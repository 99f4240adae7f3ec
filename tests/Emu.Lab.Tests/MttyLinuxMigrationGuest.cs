using Emu.Lab;

namespace Emu.Lab.Tests;

// The level-3 Linux guest that MttyLinuxMigrationLabRun moves between emu processes: Debian's
// 6.12 kernel with virtio-blk (a disk it writes numbered blocks to, and a one-sector
// mailbox), virtio-net and an mtty card (PCI 4348:3253) that the kernel's built-in 8250_pci
// driver binds, its INTx routed by emu. From boot to the end it counts (MigrationGuestParts.
// Counter) and writes blocks (8 per dd with fsync, every 0.5 s); in between it carries out
// the commands the level-2 driver puts into the mailbox ("SEQ COMMAND [ARG]" in sector 0,
// read with O_DIRECT every 0.2 s) and prints "done SEQ." after each:
//   fill TEXT    with the card's tty closed, writes TEXT to port 0's THR through /dev/port
//                (mtty loops what it transmits back into its receive FIFO, which is
//                device state a migration must carry)
//   drain        reads port 0's RBR while LSR.DR and prints "fifo=TEXT"
//   serial TEXT  opens port 0's ttyS raw, writes TEXT and prints what the driver read back
//                by its interrupt handler: "serial=TEXT"
//   ping         pings level 2's bridge: "ping_received=N"
//   finish       stops counting and writing, syncs, reads the blocks back ("readback=N")
// after which the init powers the guest off.
public static class MttyLinuxMigrationGuest
{
    public const string BridgeAddress = "10.79.0.1";
    public const string GuestAddress = "10.79.0.2";
    public const int MemoryMiB = 256;

    // The blocks the image holds: the writer stops there (8 blocks per 0.5 s fill it in 17 minutes).
    public const int MaxBlocks = 16384;

    public static readonly string Script = """
        for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && [ -b /dev/vdb ] && break; sleep 0.1; done
        blk=; box=
        for d in /sys/block/vd*; do
            case "$(cat $d/serial)" in blocks) blk=/dev/${d##*/} ;; mailbox) box=/dev/${d##*/} ;; esac
        done
        card=
        for d in /sys/bus/pci/devices/*; do
            [ "$(cat $d/vendor)" = 0x4348 ] && [ "$(cat $d/device)" = 0x3253 ] && card=$d
        done
        echo "card=${card##*/} driver=$(basename "$(readlink $card/driver)")"
        # Port 0 of the card is BAR 0, an I/O BAR of 8 registers.
        base=$(( $(head -n1 $card/resource | cut -d' ' -f1) ))
        tty=
        for t in /sys/class/tty/ttyS*; do [ "$(( $(cat $t/port) ))" = "$base" ] && tty=/dev/${t##*/}; done
        echo "uart_base=$base tty=$tty blk=$blk mailbox=$box"
        ip link set eth0 up; ip addr add 10.79.0.2/24 dev eth0
        outb() { printf "\\$(printf %o $2)" | dd of=/dev/port bs=1 seek=$1 count=1 conv=notrunc 2>/dev/null; }
        inb() { dd if=/dev/port bs=1 skip=$1 count=1 2>/dev/null | od -An -tu1 | tr -d ' \n'; }
        fill() {
            outb $((base+3)) 3   # LCR: 8 data bits, DLAB off (RBR/THR at offset 0)
            outb $((base+2)) 7   # FCR: FIFO on (16 bytes in mtty), both FIFOs cleared
            echo "$1" | fold -w1 | while read -r c; do
                printf %s "$c" | dd of=/dev/port bs=1 seek=$base count=1 conv=notrunc 2>/dev/null
            done
            echo "filled lsr=$(inb $((base+5)))"
        }
        drain() {
            s=; i=0
            while [ $i -lt 32 ] && [ $(( $(inb $((base+5))) & 1 )) = 1 ]; do
                s="$s$(printf "\\$(printf %o $(inb $base))")"; i=$((i+1))
            done
            echo "fifo=$s"
        }
        serial() {
            ( stty raw -echo; exec cat ) < $tty > /tmp/serial.rx 2>&1 &
            p=$!
            sleep 1
            printf %s "$1" > $tty
            sleep 2
            kill $p; wait $p
            echo "serial=$(cat /tmp/serial.rx)"
        }

        """
        + "(\n b=0\n while [ ! -e /tmp/stop ]; do\n"
        + $" if [ $b -lt {MaxBlocks} ]; then\n"
        + MigrationGuestParts.WriteBlocks("$blk", 8)
        + " fi\n sleep 0.5\n done\n echo $b > /tmp/blocks; echo \"blocks=$b\"\n) &\nwriter=$!\n"
        + MigrationGuestParts.Counter("/tmp/stop")
        + """
        echo ready
        last=
        while :; do
            set -- $(dd if=$box bs=512 count=1 iflag=direct 2>/dev/null | tr -d '\000' | head -n1)
            if [ -n "$1" ] && [ "$1" != "$last" ]; then
                last=$1
                case "$2" in
                    fill) fill "$3" ;;
                    drain) drain ;;
                    serial) serial "$3" ;;
                    ping) echo "ping_received=$(ping -c 2 -W 3 10.79.0.1 2>/dev/null | grep -o '[0-9]* packets received' | cut -d' ' -f1)" ;;
                    finish) break ;;
                esac
                echo "done $1."
            fi
            sleep 0.2
        done
        touch /tmp/stop; wait
        sync; echo 3 > /proc/sys/vm/drop_caches
        echo "readback=$(dd if=$blk bs=32768 count=$(( $(cat /tmp/blocks) / 8 )) 2>/dev/null | grep -c '^EMU-MIG-BLOCK-')"
        echo "done $last."
        """;

    public static Level3Guest Create(LabEnvironment env)
    {
        var options = new Level3Options { CheckScript = Script };
        options.Modules.AddRange(["virtio_blk", "virtio_net"]);
        return Level3Guest.Create(options, env);
    }
}
