namespace Emu.Lab.Tests;

// The lab's hands on an mtty mediated device and on emu's QMP, run by level-2 jobs with
// the host's python3: it writes bytes into port 0's loop-back FIFO through the device's
// own VFIO fd (no guest needed), reads them back, and drives QMP commands in order.
// It is test tooling only; emu's own VFIO code is what the tests exercise.
public static class MttyTool
{
    public const string FileName = "mtty_tool.py";

    public const string Script = """
        #!/usr/bin/python3
        # mtty_tool.py: the lab's hands on an mtty mdev and on emu's QMP (Emu.Lab.Tests).
        #   fifo-write SYSFSDEV TEXT   put TEXT in port 0's loop-back FIFO (writes to its THR)
        #   fifo-read SYSFSDEV         print what port 0's FIFO holds (reads RBR while LSR.DR)
        #   qmp SOCKET CMD [JSON]...   run QMP commands in order, print each reply on one line;
        #                              "wait-migrate" polls query-migrate until completed/failed
        import fcntl, json, os, socket, struct, sys, time

        def io(nr):
            return (ord(';') << 8) | (100 + nr)

        def open_device(sysfsdev):
            uuid = os.path.basename(sysfsdev.rstrip('/'))
            group = os.path.basename(os.readlink(sysfsdev + '/iommu_group'))
            container = os.open('/dev/vfio/vfio', os.O_RDWR)
            g = os.open('/dev/vfio/' + group, os.O_RDWR)
            fcntl.ioctl(g, io(4), struct.pack('i', container))          # VFIO_GROUP_SET_CONTAINER
            fcntl.ioctl(container, io(2), 3)                            # VFIO_SET_IOMMU type1v2
            dev = fcntl.ioctl(g, io(6), bytearray(uuid.encode() + b'\0'), True)  # VFIO_GROUP_GET_DEVICE_FD
            info = bytearray(struct.pack('IIIIQQ', 32, 0, 0, 0, 0, 0))   # region 0: BAR0, the UARTs
            fcntl.ioctl(dev, io(8), info, True)
            offset = struct.unpack('IIIIQQ', info)[5]
            return dev, offset, (g, container)

        def fifo_write(sysfsdev, text):
            dev, bar, keep = open_device(sysfsdev)
            for b in text.encode():
                os.pwrite(dev, bytes([b]), bar + 0)
            lsr = os.pread(dev, 1, bar + 5)[0]
            print('lsr=0x%02x' % lsr)

        def fifo_read(sysfsdev):
            dev, bar, keep = open_device(sysfsdev)
            out = bytearray()
            while len(out) < 64 and os.pread(dev, 1, bar + 5)[0] & 1:
                out += os.pread(dev, 1, bar + 0)
            print('fifo=' + out.decode('latin-1'))

        def qmp(path, commands):
            s = socket.socket(socket.AF_UNIX)
            for _ in range(600):
                try:
                    s.connect(path)
                    break
                except OSError:
                    time.sleep(0.1)
            f = s.makefile('rw')
            def call(name, args=None):
                msg = {'execute': name}
                if args is not None:
                    msg['arguments'] = args
                f.write(json.dumps(msg) + '\n'); f.flush()
                while True:
                    line = f.readline()
                    if not line:
                        print('qmp-closed ' + name, flush=True)
                        sys.exit(0)
                    reply = json.loads(line)
                    if 'return' in reply or 'error' in reply:
                        return reply
            json.loads(f.readline())
            call('qmp_capabilities')
            i = 0
            while i < len(commands):
                name = commands[i]; i += 1
                args = None
                if i < len(commands) and commands[i].startswith('{'):
                    args = json.loads(commands[i]); i += 1
                if name == 'wait-migrate':
                    for _ in range(1200):
                        reply = call('query-migrate')
                        if reply.get('return', {}).get('status') in ('completed', 'failed', 'cancelled'):
                            break
                        time.sleep(0.1)
                elif name == 'wait-incoming':
                    for _ in range(1200):
                        reply = call('query-migrate')
                        if reply.get('return', {}).get('status') in ('completed', 'failed'):
                            break
                        time.sleep(0.1)
                else:
                    reply = call(name, args)
                print(name + ' ' + json.dumps(reply), flush=True)

        cmd = sys.argv[1]
        if cmd == 'fifo-write':
            fifo_write(sys.argv[2], sys.argv[3])
        elif cmd == 'fifo-read':
            fifo_read(sys.argv[2])
        elif cmd == 'qmp':
            qmp(sys.argv[2], sys.argv[3:])

        """;
}
