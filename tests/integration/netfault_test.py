"""A real network fault: the producer and the sink run in one network
namespace, the workers in another, joined by a veth pair on private
addresses (10.231.X.1/30 and .2/30). Mid-run the link is taken down for a
few seconds (ip link set down) and brought back; every article still ends as
exactly one stored digest, equal to a run without faults.

Needs root and iproute2 (CI runs as root). Without root the test fails
saying so, unless ND_SKIP_NETNS=1 asks to skip it. The namespaces are made
by the test (nd-test-<pid>-a/-b) and removed afterwards, also on failure.
ND_NETFAULT_OUTAGE sets the outage in seconds (default 4).

Run: ND_BIN_DIR=build/bin python3 tests/integration/netfault_test.py
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Pipeline, wait_for  # noqa: E402
from chaos_test import articles, comparable, stored  # noqa: E402

N = 2000


def ip(*args, check=True):
    p = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("ip %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p


class NetFaultTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            if os.environ.get("ND_SKIP_NETNS") == "1":
                self.skipTest("not root, and ND_SKIP_NETNS=1 asks to skip the network "
                              "namespace test")
            self.fail("the network-fault test needs root to create network namespaces "
                      "(ip netns add); run it as root, or set ND_SKIP_NETNS=1 to skip it")
        if not shutil.which("ip"):
            self.fail("the network-fault test needs iproute2's ip command "
                      "(tools/install-deps.sh installs it)")
        self.work = tempfile.mkdtemp(prefix="nd-netfault-")
        self.procs = []
        self.ns = ["nd-test-%d-a" % os.getpid(), "nd-test-%d-b" % os.getpid()]
        self.addCleanup(self.cleanup)
        # A /30 of 10.231.0.0/16 picked by the pid, so that parallel runs
        # (each in its own namespaces anyway) use different addresses.
        sub = (os.getpid() % 16000) * 4
        self.addr = ["10.231.%d.%d" % (sub // 256, sub % 256 + 1),
                     "10.231.%d.%d" % (sub // 256, sub % 256 + 2)]
        self.dev = ["nd%da" % (os.getpid() % 100000), "nd%db" % (os.getpid() % 100000)]
        for ns in self.ns:
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
        ip("link", "add", self.dev[0], "netns", self.ns[0], "type", "veth", "peer", "name",
           self.dev[1], "netns", self.ns[1])
        for i in range(2):
            ip("-n", self.ns[i], "addr", "add", self.addr[i] + "/30", "dev", self.dev[i])
            ip("-n", self.ns[i], "link", "set", self.dev[i], "up")

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in self.ns:
            ip("netns", "del", ns, check=False)
        if os.environ.get("ND_KEEP_LOGS"):
            print("logs kept in", self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def start(self, ns, name, prog, args):
        log = open(os.path.join(self.work, name + ".log"), "wb")
        p = subprocess.Popen(["ip", "netns", "exec", ns, os.path.join(BIN, prog), *args],
                             stdout=log, stderr=subprocess.STDOUT)
        log.close()
        p.log_path = os.path.join(self.work, name + ".log")
        p.name = name
        self.procs.append(p)
        return p

    def log(self, p):
        with open(p.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def link(self, state):
        """Both ends of the veth pair down or up."""
        for i in range(2):
            ip("-n", self.ns[i], "link", "set", self.dev[i], state)

    def test_the_link_goes_down_mid_run_and_every_digest_arrives(self):
        outage = float(os.environ.get("ND_NETFAULT_OUTAGE", "4"))
        data = os.path.join(self.work, "in.jsonl")
        with open(data, "wb") as f:
            f.write(articles(N))

        # The reference: the same articles on loopback, without faults.
        ref_pipe = Pipeline(os.path.join(self.work, "ref"), workers=2)
        try:
            rc, log = ref_pipe.run_producer([data])
            self.assertEqual(rc, 0, log)
            ref = {a: comparable(j) for a, j in stored(ref_pipe.store)}
        finally:
            ref_pipe.stop()
        self.assertEqual(len(ref), N)

        # Producer and sink in namespace a, workers in namespace b.
        a, b = self.ns
        host = self.addr[0]
        store = os.path.join(self.work, "digests.db")
        sink = self.start(a, "sink", "sink", [
            "--results-bind", "tcp://%s:5558" % host, "--digests-bind", "tcp://%s:5560" % host,
            "--acks-connect", "tcp://127.0.0.1:5559", "--store", store, "--http", ""])
        wait_for(lambda: "results on" in self.log(sink) or sink.poll() is not None, 10,
                 "the sink to start")
        self.assertIsNone(sink.poll(), self.log(sink))
        workers = [self.start(b, "worker-%d" % i, "worker", [
            "--chunks-connect", "tcp://%s:5557" % host,
            "--results-connect", "tcp://%s:5558" % host]) for i in range(2)]
        t0 = time.monotonic()
        prod = self.start(a, "producer", "producer", [
            "--chunks-bind", "tcp://%s:5557" % host, "--acks-bind", "tcp://127.0.0.1:5559",
            "--progress", "never", "--ack-timeout", "2000", "--dead-worker-grace", "1000",
            data])
        wait_for(lambda: len(stored(store)) >= N // 10 or prod.poll() is not None, 60,
                 "a tenth of the digests", max_delay=0.005)
        self.link("down")
        t_down = time.monotonic()
        at_cut = len(stored(store))
        self.assertLess(at_cut, N, "the run ended before the link went down")
        # Nothing crosses: a new connection from the workers' side fails.
        probe = subprocess.run(
            ["ip", "netns", "exec", b, sys.executable, "-c",
             "import socket; socket.create_connection(('%s', 5557), timeout=1)" % host],
            capture_output=True)
        self.assertNotEqual(probe.returncode, 0, "a connection crossed the link while down")
        # The outage is the fault under test: a fixed wait is the point.
        time.sleep(max(0.0, outage - (time.monotonic() - t_down)))
        during = len(stored(store)) - at_cut
        self.link("up")
        t_up = time.monotonic()
        self.assertEqual(prod.wait(timeout=120), 0, self.log(prod))
        t_end = time.monotonic()
        elapsed = t_end - t0
        rows = stored(store)
        ids = [a_id for a_id, _ in rows]
        self.assertEqual(len(ids), N, "one stored digest per article")
        self.assertEqual(len(set(ids)), N, "no article stored twice")
        for a_id, j in rows:
            self.assertEqual(comparable(j), ref[a_id], "digest of %s differs" % a_id)
        # Little can get through a link that is down: what was already in
        # the sink's hands at most.
        self.assertLess(during, N - at_cut, "the link was not really down")
        resends = self.log(prod).count("sending attempt")
        for p in (sink, *workers):
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=15), 0, self.log(p))
        print("\nnetwork fault: link down %.1f s after %d of %d digests (%d more stored while "
              "down); digests expected %d, received %d, distinct %d; %d resends; run %.2f s "
              "(%.2f s after the link came back)"
              % (t_up - t_down, at_cut, N, during, N, len(ids), len(set(ids)), resends, elapsed,
                 t_end - t_up), file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
