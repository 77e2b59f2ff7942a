"""Helpers for the multi-process tests: free ports, starting the real
programs on loopback, waiting by polling (never fixed sleeps), and always
stopping what was started. Logs of every process are kept in the test's
work folder so a failed run can be read afterwards."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

BIN = os.environ.get("ND_BIN_DIR", "build/bin")
SHARED = os.environ.get("ND_SHARED_DIR", "../shared")
SOURCE = os.environ.get("ND_SOURCE_DIR", ".")
PYGEN = os.environ.get("ND_PY_GEN_DIR", "")


_port_rng = __import__("random").Random(os.getpid() ^ int(time.time() * 1000))


_PORT_DIR = os.path.join(os.environ.get("TMPDIR", "/tmp"), "nd-test-ports")


def _claim(port):
    """Claim a port for this test run across the processes CTest runs at
    once: a port handed to one test is not handed to another for ten
    minutes (a file per port, created exclusively), so two tests never pick
    the same one between choosing it and binding it."""
    os.makedirs(_PORT_DIR, exist_ok=True)
    path = os.path.join(_PORT_DIR, str(port))
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        try:
            if time.time() - os.stat(path).st_mtime > 600:
                os.utime(path)  # stale: a run long gone claimed it
                return True
        except OSError:
            pass
        return False


def free_port():
    """A port free on 127.0.0.1 now, from below the kernel's range for
    outgoing connections (32768 and up), where some process's next connect()
    could take it before the program under test binds it, and claimed so
    that no test running beside this one is given it too."""
    for _ in range(400):
        port = _port_rng.randrange(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        if _claim(port):
            return port
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(predicate, timeout, what, max_delay=0.2):
    """Poll predicate until it is true; fail with `what` after timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(delay)
        delay = min(delay * 2, max_delay)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


class Pipeline:
    """A sink, workers and (on demand) a producer on free loopback ports."""

    def __init__(self, workdir, workers=3, sink_args=(), worker_args=()):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.ports = {k: free_port() for k in ("chunks", "results", "acks", "digests", "http")}
        self.store = os.path.join(workdir, "digests.db")
        self.out = os.path.join(workdir, "out.jsonl")
        self.procs = []
        self.sink = self._start("sink", [
            "--results-bind", self.ep("results"), "--digests-bind", self.ep("digests"),
            "--acks-connect", self.ep("acks"), "--store", self.store, "--out", self.out,
            "--http", "127.0.0.1:%d" % self.ports["http"], *sink_args])
        # Ready once it logs its endpoints (after every bind and the HTTP listener).
        wait_for(lambda: "results on" in self.log(self.sink) or self.sink.poll() is not None, 10,
                 "the sink to start")
        if self.sink.poll() is not None:
            raise AssertionError("the sink exited at start:\n" + self.log(self.sink))
        self.workers = [self.start_worker(worker_args) for _ in range(workers)]

    def ep(self, name):
        return "tcp://127.0.0.1:%d" % self.ports[name]

    def _start(self, prog, args, stdin=None, name=None):
        name = name or "%s-%d" % (prog, len(self.procs))
        log = open(os.path.join(self.workdir, name + ".log"), "wb")
        p = subprocess.Popen([os.path.join(BIN, prog), *args], stdin=stdin or subprocess.DEVNULL,
                             stdout=log, stderr=subprocess.STDOUT)
        p.log_path = log.name
        self.procs.append(p)
        return p

    def start_worker(self, extra=()):
        return self._start("worker", ["--chunks-connect", self.ep("chunks"),
                                      "--results-connect", self.ep("results"), *extra])

    def run_producer(self, inputs, extra=(), stdin_data=None, timeout=120):
        """Run the producer to completion; returns (exit code, its log text)."""
        args = ["--chunks-bind", self.ep("chunks"), "--acks-bind", self.ep("acks"),
                "--progress", "never", *extra, *inputs]
        log_path = os.path.join(self.workdir, "producer.log")
        with open(log_path, "wb") as log:
            p = subprocess.run([os.path.join(BIN, "producer"), *args], input=stdin_data,
                               stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return p.returncode, f.read()

    def start_producer(self, inputs=(), extra=(), name=None):
        """Start a producer in the background (for --inbox, or to kill it)."""
        return self._start("producer", ["--chunks-bind", self.ep("chunks"), "--acks-bind",
                                        self.ep("acks"), "--progress", "never", *extra,
                                        *inputs], name=name)

    def http(self, path, method="GET", body=None, headers=None):
        """(status, body bytes) of a request to the sink's HTTP API."""
        import urllib.error
        import urllib.request
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.ports["http"], path),
                                     data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def digests(self):
        if not os.path.exists(self.out):
            return []
        # The sink may be writing the last line as this reads (a digest
        # longer than stdio's buffer goes out in pieces): a line without its
        # newline yet is not counted.
        with open(self.out, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n") and line.strip()]

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def log(self, proc):
        with open(proc.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()


def drop_file(folder, name, data):
    """Put a file into an inbox the way writers should: write it under a
    hidden name, then rename it, so the producer never sees half a file."""
    tmp = os.path.join(folder, "." + name + ".part")
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.rename(tmp, os.path.join(folder, name))


def files_in(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, n)) and not n.startswith("."))


def read_article(path):
    """(title, body) of a plain-text article as the producer normalises
    simple text: first line title, body stripped."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


def load_pb2():
    """The Python classes protoc generated from proto/digest.proto."""
    if PYGEN:
        sys.path.insert(0, PYGEN)
    import digest_pb2  # noqa: E402
    return digest_pb2


class Proxy:
    """A TCP relay from a local port to a target port, whose links can be
    cut: cut() drops every connection and refuses new ones until heal()."""

    def __init__(self, target_port):
        import threading
        self.target = target_port
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.cut_off = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import threading
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            if self.cut_off:
                c.close()
                continue
            try:
                t = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, t]
            for a, b in ((c, t), (t, c)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        self.cut_off = True
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                    c.close()
                except OSError:
                    pass
            self.conns = []

    def heal(self):
        self.cut_off = False

    def close(self):
        self.cut()
        self.lsock.close()
