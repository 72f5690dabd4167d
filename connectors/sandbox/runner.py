# The trusted half of a sandbox run: started by createSandbox inside bubblewrap with the request as
# JSON on fd 3. It sets the resource limits, then either runs notebook cells (earlier cells silently,
# the last one with the real stdin/stdout) or runs a program against many test inputs, one forked
# child per test. Written for any Python >= 3.6 so the interpreter stays configurable.
import os
import resource
import sys

# json, signal, time and traceback are imported only where needed: this script's start-up time is most
# of a trivial run's cost.

LIMIT_KEYS = ('memoryBytes', 'cpuSeconds', 'processes', 'fileBytes', 'openFiles')


def read_request():
    """JSON (tests mode), or the cells format: `cells <limits…>\\n` then `<byte length>\\n<cell>` per cell."""
    with os.fdopen(3, 'rb') as f:
        data = f.read()
    if data[:1] == b'{':
        import json

        return json.loads(data.decode('utf-8'))
    nl = data.index(b'\n')
    head = data[:nl].split()
    limits = {k: (None if v == b'-' else int(v)) for k, v in zip(LIMIT_KEYS, head[1:])}
    cells = []
    pos = nl + 1
    while pos < len(data):
        nl = data.index(b'\n', pos)
        n = int(data[pos:nl])
        cells.append(data[nl + 1 : nl + 1 + n].decode('utf-8'))
        pos = nl + 1 + n
    return {'mode': 'cells', 'cells': cells, 'limits': limits}


def set_limits(limits):
    pairs = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_AS, limits.get('memoryBytes')),
        (resource.RLIMIT_NPROC, limits.get('processes')),
        (resource.RLIMIT_FSIZE, limits.get('fileBytes')),
        (resource.RLIMIT_NOFILE, limits.get('openFiles')),
    ]
    for res, value in pairs:
        if value is not None:
            resource.setrlimit(res, (value, value))
    cpu = limits.get('cpuSeconds')
    if cpu is not None:
        # Soft limit sends SIGXCPU, the hard one a second later SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def exit_code_of(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + '\n')
    except Exception:
        pass
    return 1


def print_user_traceback(e):
    import traceback

    # Drop the runner's own frame so the traceback starts in the user's code, as plain `python x.py` would.
    tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
    try:
        traceback.print_exception(type(e), e, tb)
    except Exception:
        pass


def flush():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass


def run_cells(req):
    cells = req['cells']
    g = {'__name__': '__main__', '__builtins__': __builtins__}
    devnull = os.open(os.devnull, os.O_RDWR)
    saved = [os.dup(0), os.dup(1), os.dup(2)]
    for i, cell in enumerate(cells[:-1]):
        flush()
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            exec(compile(cell, '<cell %d>' % (i + 1), 'exec'), g)
        except BaseException:
            pass
        flush()
        for fd in (0, 1, 2):
            os.dup2(saved[fd], fd)
    for fd in saved + [devnull]:
        os.close(fd)
    try:
        exec(compile(cells[-1], '<cell %d>' % len(cells), 'exec'), g)
    except SystemExit as e:
        flush()
        return exit_code_of(e)
    except BaseException as e:
        flush()
        print_user_traceback(e)
        return 1
    return 0


def wait_with_timeout(pid, timeout):
    """Waits for pid up to timeout seconds; returns (status or None when it timed out)."""
    import time
    deadline = time.monotonic() + timeout
    pidfd = None
    if hasattr(os, 'pidfd_open'):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        if pidfd is not None:
            import select
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                ready, _, _ = select.select([pidfd], [], [], left)
                if ready:
                    return os.waitpid(pid, 0)[1]
        delay = 0.0005
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            if time.monotonic() >= deadline:
                return None
            time.sleep(delay)
            delay = min(delay * 2, 0.01)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def read_capped(path, limit):
    try:
        with open(path, 'rb') as f:
            data = f.read(limit + 1)
    except OSError:
        return '', False
    return data[:limit].decode('utf-8', 'replace'), len(data) > limit


def run_child(compiled, entry, paths, kind, nonce):
    """In the forked child: wire stdin/stdout/stderr to files and run the program (or call entry, or run
    the assert-style test program after it)."""
    import json
    code = 0
    try:
        os.setpgid(0, 0)
        fd = os.open(os.devnull if kind == 'assert' else paths['in'], os.O_RDONLY)
        os.dup2(fd, 0)
        os.close(fd)
        for target, path in ((1, paths['out']), (2, paths['err'])):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, target)
            os.close(fd)
        # Assert tests load the solution as a module would be (HumanEval's harness execs it without
        # __main__), so a demo `if __name__ == "__main__":` block reading stdin does not run.
        name = '__solution__' if kind == 'assert' else '__main__'
        g = {'__name__': name, '__builtins__': __builtins__}
        if kind == 'assert':
            import linecache
            with open(paths['in'], 'r') as f:
                test_source = f.read()
            # Compiled before the solution runs, so the solution cannot swap the file.
            test = compile(test_source, '<test>', 'exec')
            exec(compiled, g)
            # Registered so the traceback of a failed assert shows the assert's source line.
            linecache.cache['<test>'] = (len(test_source), None, test_source.splitlines(True), '<test>')
            exec(test, g)
            # Only reached when the test program ran to its end: an early exit(0) in the solution does not pass.
            with open(paths['ret'], 'w') as f:
                f.write(nonce)
        else:
            exec(compiled, g)
        if entry is not None and kind != 'assert':
            fn = g.get(entry)
            if fn is None and 'Solution' in g:
                fn = getattr(g['Solution'](), entry, None)
            if fn is None:
                raise NameError('entry point %r is not defined' % entry)
            with open(paths['in'], 'r') as f:
                args = json.loads(f.read())
            if not isinstance(args, list):
                args = [args]
            result = fn(*args)
            with open(paths['ret'], 'w') as f:
                f.write(json.dumps(result, default=repr))
    except SystemExit as e:
        code = exit_code_of(e)
    except BaseException as e:
        print_user_traceback(e)
        code = 1
    flush()
    os._exit(code)


def run_tests(req):
    """Runs the program once per test input in a forked child; one JSON line per test on the result fd."""
    import json
    import signal
    import time
    import traceback
    out = os.fdopen(os.dup(1), 'w')
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    try:
        compiled = compile(req['code'], '<solution>', 'exec')
    except BaseException as e:
        out.write(json.dumps({'compileError': ''.join(traceback.format_exception_only(type(e), e))}) + '\n')
        out.flush()
        return 0
    try:
        # Not dumpable: the children (same uid) cannot open /proc/<runner>/fd to forge result lines.
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
    except Exception:
        pass
    entry = req.get('entryPoint')
    kind = req.get('testKind') or ('call' if entry is not None else 'stdio')
    timeout = req['perTestTimeoutMs'] / 1000.0
    limit = req['outputLimitBytes']
    paths = {k: os.path.abspath('.t.' + k) for k in ('in', 'out', 'err', 'ret')}
    for i, test_input in enumerate(req['inputs']):
        with open(paths['in'], 'w') as f:
            f.write(test_input)
        for k in ('out', 'err', 'ret'):
            try:
                os.unlink(paths[k])
            except OSError:
                pass
        flush()
        out.flush()
        nonce = os.urandom(16).hex()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            out.close()
            run_child(compiled, entry, paths, kind, nonce)
        status = wait_with_timeout(pid, timeout)
        timed_out = status is None
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if timed_out:
            status = os.waitpid(pid, 0)[1]
        duration = (time.monotonic() - started) * 1000.0
        stdout, truncated = read_capped(paths['out'], limit)
        stderr, _ = read_capped(paths['err'], 8192)
        ret, _ = read_capped(paths['ret'], limit) if kind == 'call' else (None, False)
        completed = read_capped(paths['ret'], 64)[0] == nonce if kind == 'assert' else None
        line = {
            'index': i,
            'exitCode': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            'signal': signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None,
            'timedOut': timed_out,
            'stdout': stdout,
            'stderr': stderr,
            'returned': ret if ret else None,
            'outputTruncated': truncated,
            'completed': completed,
            'durationMs': round(duration, 3),
        }
        out.write(json.dumps(line) + '\n')
        out.flush()
    return 0


def main():
    req = read_request()
    set_limits(req.get('limits', {}))
    if req.get('mode') == 'tests':
        code = run_tests(req)
    else:
        code = run_cells(req)
    flush()
    sys.exit(code)


main()
