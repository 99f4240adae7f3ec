namespace Emu.Lab.Tests;

// The migration benchmark's hands on a VMM's QMP, run by level-2 jobs with the host's
// python3 (MigrationBenchLabRun): a live migration polled until it finishes, a snapshot
// (stop + migrate file:) and a restore (migrate-incoming file: + cont), each timed with a
// monotonic clock next to the VMM's own query-migrate figures. The same commands drive
// emu and QEMU 10. It is test tooling only.
public static class MigrationBenchTool
{
    public const string FileName = "migbench_tool.py";

    public const string Script = """
        #!/usr/bin/python3
        # migbench_tool.py: the migration benchmark's hands on a VMM's QMP (Emu.Lab.Tests).
        #   wait-console FILE TEXT SECONDS   wait until FILE holds TEXT; print the seconds waited
        #   live SRC DST URI                 migrate SRC live to URI, poll until finished, print figures
        #   save QMP FILE                    stop, migrate file:FILE, poll until finished: print the time
        #   restore QMP FILE                 2 s after QMP answers (the VMM has started), migrate-incoming
        #                                    file:FILE, wait for the load, cont, wait for running: print the time
        #   quit QMP...                      quit each VMM
        # Times are wall-clock milliseconds measured here (monotonic clock), next to the
        # VMM's own query-migrate figures (total-time, downtime, setup-time).
        import json, os, socket, sys, time

        POLL = 0.005

        class Qmp:
            def __init__(self, path, timeout=60):
                self.s = socket.socket(socket.AF_UNIX)
                end = time.monotonic() + timeout
                while True:
                    try:
                        self.s.connect(path)
                        break
                    except OSError:
                        if time.monotonic() > end:
                            raise
                        time.sleep(0.05)
                self.events = []
                self.f = self.s.makefile('rw')
                json.loads(self.f.readline())
                self.call('qmp_capabilities')

            def call(self, name, args=None):
                msg = {'execute': name}
                if args is not None:
                    msg['arguments'] = args
                self.f.write(json.dumps(msg) + '\n')
                self.f.flush()
                while True:
                    line = self.f.readline()
                    if not line:
                        raise EOFError('QMP closed during ' + name)
                    reply = json.loads(line)
                    if 'event' in reply:
                        self.events.append(reply)
                        continue
                    if 'error' in reply:
                        raise RuntimeError(name + ': ' + json.dumps(reply['error']))
                    if 'return' in reply:
                        return reply['return']

            def event_time(self, name):
                # The QMP timestamp of the first event NAME (the VMM's realtime clock), or None.
                for e in self.events:
                    if e['event'] == name:
                        t = e['timestamp']
                        return t['seconds'] + t['microseconds'] / 1e6
                return None

            def status(self):
                return self.call('query-status')['status']

        # Polls query-migrate until the status is one of finished; after timeout seconds it
        # cancels the migration (one that never converges) and waits for that. Returns the
        # last reply and the last one seen while active (its expected downtime and bandwidth).
        def wait_migration(q, finished, timeout=600):
            end = time.monotonic() + timeout
            active = {}
            cancelled = False
            while True:
                info = q.call('query-migrate')
                if info.get('status') in finished:
                    return info, active
                if info.get('status') == 'active':
                    active = info
                if time.monotonic() > end and not cancelled:
                    q.call('migrate_cancel')
                    cancelled = True
                time.sleep(POLL)

        def progress(active):
            ram = active.get('ram', {})
            return 'last-active expected-downtime=%s mbps=%s dirty-pages-rate=%s remaining=%s dirty-sync-count=%s' % (
                active.get('expected-downtime'), ram.get('mbps'), ram.get('dirty-pages-rate'),
                ram.get('remaining'), ram.get('dirty-sync-count'))

        def wait_status(q, wanted, timeout=600):
            end = time.monotonic() + timeout
            while True:
                s = q.status()
                if s in wanted:
                    return s
                if time.monotonic() > end:
                    raise TimeoutError('run state still ' + s)
                time.sleep(POLL)

        def figures(info):
            ram = info.get('ram', {})
            return 'status=%s total-time=%s downtime=%s setup-time=%s transferred=%s dirty-sync-count=%s' % (
                info.get('status'), info.get('total-time'), info.get('downtime'), info.get('setup-time'),
                ram.get('transferred'), ram.get('dirty-sync-count'))

        def ms(t0):
            return '%.1f' % ((time.monotonic() - t0) * 1000)

        def main():
            cmd, args = sys.argv[1], sys.argv[2:]
            if cmd == 'wait-console':
                path, text, seconds = args[0], args[1], float(args[2])
                t0 = time.monotonic()
                while time.monotonic() - t0 < seconds:
                    try:
                        with open(path, 'rb') as f:
                            if text.encode() in f.read():
                                print('console-ready %.1f s' % (time.monotonic() - t0), flush=True)
                                return 0
                    except FileNotFoundError:
                        pass
                    time.sleep(0.1)
                print('console-timeout %s' % text, flush=True)
                return 1
            if cmd == 'live':
                src, dst = Qmp(args[0]), Qmp(args[1])
                listening = args[2][len('unix:'):] if args[2].startswith('unix:') else None
                for _ in range(600):
                    if listening is None or os.path.exists(listening):
                        break
                    time.sleep(0.05)
                t0 = time.monotonic()
                src.call('migrate', {'uri': args[2]})
                info, active = wait_migration(src, ('completed', 'failed', 'cancelled'), 120)
                wall = ms(t0)
                print('live-progress ' + progress(active), flush=True)
                if info.get('status') != 'completed':
                    print('live ' + figures(info) + ' wall=' + wall + ' error=' + json.dumps(info.get('error-desc')), flush=True)
                    return 1
                state = wait_status(dst, ('running',), 60)
                # The guest's pause as a user sees it: from the source's STOP event to the
                # destination's RESUME event, both stamped by the VMMs with level 2's clock.
                stopped, resumed = src.event_time('STOP'), dst.event_time('RESUME')
                paused = '%.1f' % ((resumed - stopped) * 1000) if stopped and resumed else 'none'
                print('live %s wall=%s stop-to-resume=%s dst=%s src=%s' % (figures(info), wall, paused, state, src.status()), flush=True)
                return 0
            if cmd == 'save':
                q = Qmp(args[0])
                t0 = time.monotonic()
                q.call('stop')
                q.call('migrate', {'uri': 'file:' + args[1]})
                info, active = wait_migration(q, ('completed', 'failed', 'cancelled'))
                wall = ms(t0)
                print('save %s wall=%s' % (figures(info), wall), flush=True)
                return 0 if info.get('status') == 'completed' else 1
            if cmd == 'restore':
                q = Qmp(args[0])
                # Both VMMs have finished starting (emu answers QMP before its vCPUs' power-on
                # reset has loaded -kernel, QEMU only after): the restore is timed from there.
                time.sleep(2)
                t0 = time.monotonic()
                q.call('migrate-incoming', {'uri': 'file:' + args[1]})
                loaded = wait_status(q, ('paused', 'postmigrate', 'running', 'prelaunch', 'internal-error', 'shutdown'))
                load = ms(t0)
                if loaded not in ('running', 'paused', 'prelaunch'):
                    print('restore status=%s load=%s' % (loaded, load), flush=True)
                    return 1
                if loaded != 'running':
                    q.call('cont')
                    wait_status(q, ('running',), 60)
                print('restore status=running wall=%s load=%s' % (ms(t0), load), flush=True)
                return 0
            if cmd == 'quit':
                for path in args:
                    try:
                        Qmp(path, 5).call('quit')
                    except (OSError, EOFError, RuntimeError) as e:
                        print('quit %s: %s' % (path, e), flush=True)
                return 0
            print('unknown command ' + cmd, file=sys.stderr)
            return 2

        sys.exit(main())

        """;
}
