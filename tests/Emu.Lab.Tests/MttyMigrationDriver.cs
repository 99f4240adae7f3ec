namespace Emu.Lab.Tests;

// The level-2 side of MttyLinuxMigrationLabRun, run with the host's python3 (through the 9p
// root): it starts the emu processes, reads each one's console as it comes and prints every
// line stamped with the time it arrived, drives QMP and the guest's mailbox
// (MttyLinuxMigrationGuest), and logs what each step returned (LogName). Log lines:
//   con VM T LINE        a console line of VM, first seen T seconds after the start
//   qmp VM T CMD JSON    a QMP reply
//   cmd VM T SEQ CMD ARG a mailbox command
//   mark T NAME          a moment of the run (migrate sent, completion seen, ...)
//   result NAME JSON     a step's outcome (query-migrate at its end, statuses, exit codes)
//   error TEXT           the step that failed; the driver then stops every VM
// It is test tooling only: emu is what the tests exercise. VM names: A the source;
// D a destination whose migration is cancelled; E an mtty-1 destination that must refuse;
// B the live destination; C the snapshot's restore.
public static class MttyMigrationDriver
{
    public const string FileName = "mtty_migrate.py";

    // The driver's whole log, written in level 2's /tmp and copied to the run directory at the end.
    public const string LogName = "driver.log";

    public const string Script = """
        #!/usr/bin/python3
        # mtty_migrate.py: the level-2 driver of MttyLinuxMigrationLabRun (Emu.Lab.Tests).
        import json, os, shlex, socket, subprocess, sys, threading, time

        T0 = time.monotonic()
        OUT = threading.Lock()
        ENV = os.environ
        LAB = ENV['LAB_DIR']
        VMS = []

        def now():
            return '%.3f' % (time.monotonic() - T0)

        LOG = open('/tmp/%s' % ENV['DRIVER_LOG'], 'w')

        # Every line goes to the log on level 2's own disk; the job's output (a file on 9p
        # that the host reads while it grows, which has lost a line in the lab) gets all
        # but the console lines and samples, as a record of progress.
        def emit(*words):
            line = ' '.join(str(w) for w in words) + '\n'
            with OUT:
                LOG.write(line)
                LOG.flush()
                if words[0] not in ('con', 'sample'):
                    sys.stdout.write(line)
                    sys.stdout.flush()

        class Failure(Exception):
            pass

        class Qmp:
            def __init__(self, vm):
                self.vm = vm
                path = '/tmp/%s.qmp' % vm.name
                s = socket.socket(socket.AF_UNIX)
                deadline = time.monotonic() + 180
                while True:
                    try:
                        s.connect(path)
                        break
                    except OSError:
                        if time.monotonic() > deadline or vm.proc.poll() is not None:
                            raise Failure('%s: no QMP at %s' % (vm.name, path))
                        time.sleep(0.1)
                self.f = s.makefile('rw')
                self.f.readline()
                self.call('qmp_capabilities', quiet=True)

            def call(self, name, args=None, quiet=False):
                msg = {'execute': name}
                if args is not None:
                    msg['arguments'] = args
                self.f.write(json.dumps(msg) + '\n')
                self.f.flush()
                while True:
                    line = self.f.readline()
                    if not line:
                        raise Failure('%s: QMP closed during %s' % (self.vm.name, name))
                    reply = json.loads(line)
                    if 'return' in reply or 'error' in reply:
                        if not quiet:
                            emit('qmp', self.vm.name, now(), name, json.dumps(reply))
                        return reply

            def ok(self, name, args=None, quiet=False):
                reply = self.call(name, args, quiet)
                if 'error' in reply:
                    raise Failure('%s: %s failed: %s' % (self.vm.name, name, json.dumps(reply)))
                return reply['return']

            def status(self):
                return self.ok('query-status', quiet=True)['status']

            # Polls query-migrate until one of statuses; meanwhile marks each change of the
            # run state of this VM and of the `watch` VMs ("status-A-finish-migrate", ...).
            def wait_migration(self, statuses, timeout, watch=()):
                deadline = time.monotonic() + timeout
                seen = {}
                while True:
                    for vm in (self.vm,) + tuple(watch):
                        state = vm.qmp.status()
                        if seen.get(vm.name) != state:
                            seen[vm.name] = state
                            emit('mark', now(), 'status-%s-%s' % (vm.name, state))
                    info = self.ok('query-migrate', quiet=True)
                    if info.get('status') in statuses:
                        emit('qmp', self.vm.name, now(), 'query-migrate', json.dumps({'return': info}))
                        return info
                    if time.monotonic() > deadline:
                        raise Failure('%s: migration still %s after %d s: %s' % (self.vm.name, info.get('status'), timeout, json.dumps(info)))
                    time.sleep(0.05)

        class Vm:
            def __init__(self, name, mdev, tap, extra):
                self.name = name
                self.lines = []
                self.cond = threading.Condition()
                argv = shlex.split(ENV['EMU_COMMAND']) + ['-accel', 'kvm', '-machine', 'q35', '-m', ENV['L3_MEMORY'] + 'M', '-smp', '1',
                        '-nographic', '-no-reboot',
                        '-drive', 'file=/tmp/blocks.img,if=none,id=d0,format=raw', '-device', 'virtio-blk-pci,drive=d0,serial=blocks,id=disk0',
                        '-drive', 'file=/tmp/mailbox.img,if=none,id=d1,format=raw', '-device', 'virtio-blk-pci,drive=d1,serial=mailbox,id=disk1',
                        '-netdev', 'tap,id=n0,ifname=%s,script=no,downscript=no' % tap, '-device', 'virtio-net-pci,netdev=n0,id=net0',
                        '-device', 'vfio-pci,sysfsdev=%s,id=mtty0' % mdev,
                        '-kernel', ENV['L3_KERNEL'], '-initrd', ENV['L3_INITRD'], '-append', ENV['L3_APPEND'],
                        '-qmp', 'unix:/tmp/%s.qmp,server=on,wait=off' % name] + extra
                self.err = open(os.path.join(LAB, 'vm-%s.stderr' % name), 'wb')
                emit('mark', now(), 'start-' + name, mdev, tap, ' '.join(extra))
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.err)
                VMS.append(self)
                self.pump = threading.Thread(target=self.read, daemon=True)
                self.pump.start()
                self.qmp = Qmp(self)

            def read(self):
                for raw in iter(self.proc.stdout.readline, b''):
                    line = raw.decode('latin-1').replace('\r', '').rstrip('\n')
                    emit('con', self.name, now(), line)
                    with self.cond:
                        self.lines.append(line)
                        self.cond.notify_all()
                with self.cond:
                    self.lines.append(None)
                    self.cond.notify_all()

            def wait_line(self, text, timeout):
                deadline = time.monotonic() + timeout
                with self.cond:
                    i = 0
                    while True:
                        while i < len(self.lines):
                            if self.lines[i] is None:
                                raise Failure('%s: console closed before "%s"' % (self.name, text))
                            if text in self.lines[i]:
                                return
                            i += 1
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise Failure('%s: no "%s" in %d s' % (self.name, text, timeout))
                        self.cond.wait(left)

            def quit(self):
                try:
                    self.qmp.call('quit')
                except (Failure, OSError):
                    pass
                return self.wait_exit(60)

            def wait_exit(self, timeout):
                try:
                    rc = self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    rc = 'killed(%s)' % self.proc.wait()
                self.pump.join(10)
                emit('result', 'exit-' + self.name, json.dumps(rc))
                return rc

        # Where the emu processes' threads are while a migration switches over: every
        # 0.2 s, each thread that is running or in uninterruptible sleep, with its name
        # and the top of its kernel stack ("sample VM T TID COMM STATE FRAME|FRAME...").
        class Sampler:
            def __init__(self, vms):
                self.vms = vms
                self.stop = threading.Event()
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()

            def run(self):
                while not self.stop.wait(0.2):
                    for vm in self.vms:
                        base = '/proc/%d/task' % vm.proc.pid
                        try:
                            tids = os.listdir(base)
                        except OSError:
                            continue
                        for tid in tids:
                            try:
                                with open('%s/%s/stat' % (base, tid)) as f:
                                    stat = f.read()
                                comm = stat[stat.index('(') + 1:stat.rindex(')')].replace(' ', '_')
                                state = stat[stat.rindex(')') + 2]
                                if state not in 'RD':
                                    continue
                                with open('%s/%s/stack' % (base, tid)) as f:
                                    frames = [l.split()[1].split('+')[0] for l in f.read().splitlines() if len(l.split()) > 1]
                                emit('sample', vm.name, now(), tid, comm, state, '|'.join(frames[:8]))
                            except (OSError, ValueError, IndexError):
                                pass

            def close(self):
                self.stop.set()
                self.thread.join(5)

        mailbox = os.open('/tmp/mailbox.img', os.O_RDWR)
        seq = 0

        # Puts a command into the guest's mailbox and waits until the guest of vm did it.
        def command(vm, cmd, arg='', timeout=120):
            global seq
            seq += 1
            os.pwrite(mailbox, ('%d %s %s\n' % (seq, cmd, arg)).encode().ljust(512, b'\0'), 0)
            os.fsync(mailbox)
            emit('cmd', vm.name, now(), seq, cmd, arg)
            vm.wait_line('@L3@ done %d.' % seq, timeout)

        def wait_path(path, vm):
            for _ in range(1800):
                if os.path.exists(path):
                    return
                if vm.proc.poll() is not None:
                    raise Failure('%s ended before binding %s' % (vm.name, path))
                time.sleep(0.1)
            raise Failure('%s did not bind %s' % (vm.name, path))

        def checks(vm, tag):
            command(vm, 'drain')
            command(vm, 'serial', 'EMU-SERIAL-' + tag)
            command(vm, 'ping')

        def main():
            a = Vm('A', ENV['MDEV_A'], 'mtapa', [])
            a.wait_line('@L3@ ready', 600)
            command(a, 'fill', 'EMU-FIFO-1')

            # A migration cancelled while RAM moves (slowly: 1 MiB/s) leaves A running.
            d = Vm('D', ENV['MDEV_D'], 'mtapd', ['-incoming', 'unix:/tmp/D.mig'])
            wait_path('/tmp/D.mig', d)
            bandwidth = a.qmp.ok('query-migrate-parameters')['max-bandwidth']
            a.qmp.ok('migrate-set-parameters', {'max-bandwidth': 1 << 20})
            emit('mark', now(), 'migrate-D')
            a.qmp.ok('migrate', {'uri': 'unix:/tmp/D.mig'})
            for _ in range(600):
                info = a.qmp.ok('query-migrate', quiet=True)
                if info.get('status') != 'active' or info.get('ram', {}).get('transferred', 0) > 0:
                    break
                time.sleep(0.05)
            time.sleep(1)
            emit('mark', now(), 'cancel-D')
            a.qmp.ok('migrate_cancel')
            emit('result', 'cancel', json.dumps(a.qmp.wait_migration(('cancelled', 'failed', 'completed'), 120)))
            emit('result', 'cancel-source-status', json.dumps(a.qmp.status()))
            a.qmp.ok('migrate-set-parameters', {'max-bandwidth': bandwidth})
            d.proc.kill()
            d.wait_exit(60)

            # An mtty-1 destination cannot take the card's state: it refuses, A runs on.
            e = Vm('E', ENV['MDEV_E'], 'mtape', ['-incoming', 'unix:/tmp/E.mig'])
            wait_path('/tmp/E.mig', e)
            emit('mark', now(), 'migrate-E')
            a.qmp.ok('migrate', {'uri': 'unix:/tmp/E.mig'})
            emit('result', 'refused', json.dumps(a.qmp.wait_migration(('completed', 'failed', 'cancelled'), 600)))
            emit('result', 'refused-source-status', json.dumps(a.qmp.status()))
            e.wait_exit(60)
            checks(a, 'A')

            # Live migration A -> B.
            command(a, 'fill', 'EMU-FIFO-2')
            b = Vm('B', ENV['MDEV_B'], 'mtapb', ['-incoming', 'unix:/tmp/B.mig'])
            wait_path('/tmp/B.mig', b)
            emit('mark', now(), 'migrate-B')
            a.qmp.ok('migrate', {'uri': 'unix:/tmp/B.mig'})
            sampler = Sampler((a, b))
            live = a.qmp.wait_migration(('completed', 'failed', 'cancelled'), 900, watch=(b,))
            emit('mark', now(), 'completed-B')
            time.sleep(4)
            sampler.close()
            emit('result', 'live', json.dumps(live))
            if live['status'] != 'completed':
                raise Failure('live migration ended %s' % live['status'])
            emit('result', 'live-destination-status', json.dumps(b.qmp.status()))
            a.quit()
            checks(b, 'B')

            # Snapshot of B (stop + migrate file:), restored into C.
            command(b, 'fill', 'EMU-FIFO-3')
            b.qmp.ok('stop')
            emit('mark', now(), 'save')
            t = time.monotonic()
            b.qmp.ok('migrate', {'uri': 'file:/tmp/snap.bin'})
            saved = b.qmp.wait_migration(('completed', 'failed', 'cancelled'), 600)
            emit('result', 'save', json.dumps(saved))
            emit('result', 'save-seconds', '%.3f' % (time.monotonic() - t))
            emit('result', 'snapshot-bytes', os.path.getsize('/tmp/snap.bin'))
            b.quit()
            c = Vm('C', ENV['MDEV_C'], 'mtapc', ['-incoming', 'defer', '-S'])
            emit('result', 'restore-initial-status', json.dumps(c.qmp.status()))
            emit('mark', now(), 'restore')
            t = time.monotonic()
            c.qmp.ok('migrate-incoming', {'uri': 'file:/tmp/snap.bin'})
            restored = c.qmp.wait_migration(('completed', 'failed'), 600)
            emit('result', 'restore-seconds', '%.3f' % (time.monotonic() - t))
            emit('result', 'restore', json.dumps(restored))
            emit('result', 'restore-status', json.dumps(c.qmp.status()))
            c.qmp.ok('cont')
            checks(c, 'C')
            command(c, 'finish', timeout=300)
            c.wait_exit(120)

        try:
            main()
            rc = 0
        except Exception as ex:
            emit('error', type(ex).__name__, str(ex).replace('\n', ' '))
            rc = 1
        for vm in VMS:
            if vm.proc.poll() is None:
                vm.proc.kill()
                vm.wait_exit(30)
            vm.err.close()
            with open(os.path.join(LAB, 'vm-%s.stderr' % vm.name), 'rb') as f:
                for line in f.read().decode('latin-1').splitlines()[-40:]:
                    emit('stderr', vm.name, line)
        LOG.close()
        sys.exit(rc)

        """;
}
