"""CURVE on every ZeroMQ link: the real producer, workers and sink with key
pairs made by curve-keygen and allow lists, on loopback. An encrypted run
gives the same digests as a plain one; a worker whose key is not on the
allow list, a worker without keys and a stranger's socket get no chunks;
bad key settings stop the programs with a message naming the setting.

Run: ND_BIN_DIR=build/bin python3 tests/integration/curve_test.py
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Pipeline, load_pb2, wait_for  # noqa: E402
from chaos_test import articles, comparable, stored  # noqa: E402

import zmq  # noqa: E402


def keygen(folder, name):
    """Make NAME.key / NAME.pub in folder; returns (secret path, public key)."""
    prefix = os.path.join(folder, name)
    p = subprocess.run([os.path.join(BIN, "curve-keygen"), prefix], capture_output=True)
    assert p.returncode == 0, p.stderr.decode()
    pub = p.stdout.decode().strip()
    assert len(pub) == 40, pub
    return prefix + ".key", pub


def write_allow(path, pubs):
    with open(path, "w") as f:
        f.write("# clients allowed\n")
        for name, pub in pubs.items():
            f.write("%s %s\n" % (pub, name))
    return path


class Keys:
    """Key pairs of a producer, a sink, two good workers, a subscriber and
    an impostor (a valid pair that is on no allow list), and the allow
    lists of the producer (workers and the sink) and of the sink (workers
    and the subscriber)."""

    def __init__(self, folder):
        os.makedirs(folder, exist_ok=True)
        self.sec, self.pub = {}, {}
        for name in ("producer", "sink", "w1", "w2", "subscriber", "impostor"):
            self.sec[name], self.pub[name] = keygen(folder, name)
        self.producer_allow = write_allow(os.path.join(folder, "producer.allow"), {
            "w1": self.pub["w1"], "w2": self.pub["w2"], "sink": self.pub["sink"]})
        self.sink_allow = write_allow(os.path.join(folder, "sink.allow"), {
            "w1": self.pub["w1"], "w2": self.pub["w2"], "subscriber": self.pub["subscriber"]})

    def sink_args(self):
        return ["--curve-secret-key", self.sec["sink"], "--curve-allow", self.sink_allow,
                "--curve-producer-key", self.pub["producer"]]

    def producer_args(self):
        return ["--curve-secret-key", self.sec["producer"], "--curve-allow",
                self.producer_allow]

    def worker_args(self, name):
        return ["--curve-secret-key", self.sec[name], "--curve-producer-key",
                os.path.join(os.path.dirname(self.sec["producer"]), "producer.pub"),
                "--curve-sink-key", self.pub["sink"]]

    def secret_z85(self, name):
        with open(self.sec[name]) as f:
            return [line.strip() for line in f if line.strip() and not line.startswith("#")][0]


class CurveTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="nd-curve-")
        self.pipes = []
        self.keys = Keys(os.path.join(self.work, "keys"))
        self.data = os.path.join(self.work, "in.jsonl")
        with open(self.data, "wb") as f:
            f.write(articles(400))

    def tearDown(self):
        for p in self.pipes:
            p.stop()
        if os.environ.get("ND_KEEP_LOGS"):
            print("logs kept in", self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def pipeline(self, name, curve, workers=2):
        k = self.keys
        if curve:
            pipe = Pipeline(os.path.join(self.work, name), workers=0, sink_args=k.sink_args())
            for w in ("w1", "w2")[:workers]:
                pipe.workers.append(pipe.start_worker(k.worker_args(w)))
        else:
            pipe = Pipeline(os.path.join(self.work, name), workers=workers)
        self.pipes.append(pipe)
        return pipe

    def test_an_encrypted_run_gives_the_digests_of_a_plain_one(self):
        """Keys on every link (chunks, results, acknowledgements and the
        digest stream): every article is stored once, each digest equals
        the plain run's, and an allowed subscriber receives every digest
        over CURVE. Prints the time of both runs."""
        pb2 = load_pb2()
        n = 400
        plain = self.pipeline("plain", curve=False)
        t0 = time.monotonic()
        rc, log = plain.run_producer([self.data])
        t_plain = time.monotonic() - t0
        self.assertEqual(rc, 0, log)
        ref = {a: comparable(j) for a, j in stored(plain.store)}
        self.assertEqual(len(ref), n)

        pipe = self.pipeline("curve", curve=True)
        ctx = zmq.Context()
        sub = ctx.socket(zmq.SUB)
        sub.curve_secretkey = self.keys.secret_z85("subscriber").encode()
        sub.curve_publickey = self.keys.pub["subscriber"].encode()
        sub.curve_serverkey = self.keys.pub["sink"].encode()
        sub.setsockopt(zmq.SUBSCRIBE, b"digest.")
        mon = sub.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        sub.connect(pipe.ep("digests"))
        self.assertTrue(mon.poll(10000), "the allowed subscriber's handshake")
        try:
            t0 = time.monotonic()
            rc, log = pipe.run_producer([self.data], self.keys.producer_args())
            t_curve = time.monotonic() - t0
            self.assertEqual(rc, 0, log)
            self.assertIn("CURVE on", log)
            rows = stored(pipe.store)
            self.assertEqual(len(rows), n)
            self.assertEqual(len({a for a, _ in rows}), n)
            for a, j in rows:
                self.assertEqual(comparable(j), ref[a], a)
            got = set()
            deadline = time.monotonic() + 10
            while len(got) < n and time.monotonic() < deadline:
                if sub.poll(200):
                    topic, payload = sub.recv_multipart()
                    d = pb2.Digest()
                    d.ParseFromString(payload)
                    self.assertEqual(topic, b"digest.ok")
                    got.add(d.article_id)
            self.assertEqual(got, set(ref), "the subscriber got every digest over CURVE")
        finally:
            sub.disable_monitor()
            mon.close(0)
            sub.close(0)
            ctx.term()
        for w in pipe.workers:
            self.assertIn("CURVE on", pipe.log(w))
        print("\ncurve: %d articles, plain %.2f s, CURVE %.2f s (x%.2f)"
              % (n, t_plain, t_curve, t_curve / t_plain), file=sys.stderr)

    def test_workers_without_an_allowed_key_get_no_work(self):
        """A worker with a valid key pair that is not on the producer's
        allow list, and a worker with no keys at all, start first and stay
        up the whole run: neither processes a chunk; the allowed worker
        does all the work, every article is stored."""
        k = self.keys
        pipe = self.pipeline("curve", curve=True, workers=0)
        impostor = pipe.start_worker(["--curve-secret-key", k.sec["impostor"],
                                      "--curve-producer-key", k.pub["producer"],
                                      "--curve-sink-key", k.pub["sink"]])
        keyless = pipe.start_worker()
        prod = pipe.start_producer([self.data], k.producer_args())
        wait_for(lambda: "the producer at %s refused this worker's CURVE key" % pipe.ep("chunks")
                 in pipe.log(impostor), 15, "the impostor's refusal")
        wait_for(lambda: "the producer at %s failed the handshake" % pipe.ep("chunks")
                 in pipe.log(keyless), 15, "the keyless worker's failed handshake")
        wait_for(lambda: "refused a CURVE client" in pipe.log(prod), 15,
                 "the producer's refusal")
        self.assertIn(k.pub["impostor"], pipe.log(prod))
        self.assertEqual(stored(pipe.store), [], "nothing was processed before a good worker")
        good = pipe.start_worker(k.worker_args("w1"))
        self.assertEqual(prod.wait(timeout=60), 0, pipe.log(prod))
        self.assertEqual(len(stored(pipe.store)), 400)
        for w in (impostor, keyless, good):
            w.send_signal(signal.SIGTERM)
            self.assertEqual(w.wait(timeout=10), 0)
        self.assertIn("stopping: 0 chunks processed", pipe.log(impostor))
        self.assertIn("stopping: 0 chunks processed", pipe.log(keyless))
        self.assertNotIn("stopping: 0 chunks processed", pipe.log(good))
        # The refused workers' reconnections were not taken for worker deaths.
        self.assertNotIn("a worker disconnected", pipe.log(prod))
        self.assertNotIn("sending attempt", pipe.log(prod))

    def test_a_stranger_cannot_receive_chunks(self):
        """Sockets of a stranger pull from the producer's chunk endpoint
        while it has 400 articles to send: one with no keys, one with its
        own key pair and the producer's public key. Neither receives a
        frame; an allowed worker then gets everything, and a subscriber
        without keys on the sink's digest stream receives none of the
        400 digests published."""
        k = self.keys
        pipe = self.pipeline("curve", curve=True, workers=0)
        prod = pipe.start_producer([self.data], k.producer_args())
        wait_for(lambda: "CURVE on" in pipe.log(prod), 10, "the producer")
        ctx = zmq.Context()
        plain = ctx.socket(zmq.PULL)
        plain.connect(pipe.ep("chunks"))
        keyed = ctx.socket(zmq.PULL)
        pub, sec = zmq.curve_keypair()
        keyed.curve_secretkey, keyed.curve_publickey = sec, pub
        keyed.curve_serverkey = k.pub["producer"].encode()
        mon = keyed.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
        keyed.connect(pipe.ep("chunks"))
        # And a subscriber without keys on the sink's digest stream.
        eavesdropper = ctx.socket(zmq.SUB)
        eavesdropper.setsockopt(zmq.SUBSCRIBE, b"")
        eavesdropper.connect(pipe.ep("digests"))
        try:
            self.assertTrue(mon.poll(10000), "the stranger's key is refused")
            received = 0
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                for s in (plain, keyed):
                    if s.poll(50):
                        s.recv()
                        received += 1
            self.assertEqual(received, 0, "a stranger received chunks")
            good = pipe.start_worker(k.worker_args("w2"))
            self.assertEqual(prod.wait(timeout=60), 0, pipe.log(prod))
            self.assertEqual(len(stored(pipe.store)), 400)
            self.assertFalse(plain.poll(0) or keyed.poll(0), "a stranger received chunks")
            self.assertFalse(eavesdropper.poll(500), "a stranger received digests")
            self.assertIsNone(good.poll())
        finally:
            keyed.disable_monitor()
            mon.close(0)
            plain.close(0)
            keyed.close(0)
            eavesdropper.close(0)
            ctx.term()

    def test_bad_key_settings_stop_each_program_naming_the_setting(self):
        k = self.keys
        bad = os.path.join(self.work, "bad.key")
        with open(bad, "w") as f:
            f.write("# not a key\nshort\n")
        cases = [
            (["producer", "--curve-secret-key", "/nonexistent/p.key", "--curve-allow",
              k.producer_allow, self.data],
             "--curve-secret-key: cannot read key file /nonexistent/p.key"),
            (["producer", "--curve-secret-key", k.sec["producer"], self.data],
             "--curve-secret-key needs --curve-allow FILE"),
            (["sink", "--curve-secret-key", bad, "--curve-allow", k.sink_allow,
              "--curve-producer-key", k.pub["producer"]],
             "line 2: a key is 40 Z85 characters, not 5"),
            (["sink", "--curve-secret-key", k.sec["sink"], "--curve-allow", bad,
              "--curve-producer-key", k.pub["producer"]],
             "--curve-allow: %s line 2" % bad),
            (["worker", "--curve-secret-key", k.sec["w1"], "--curve-producer-key",
              k.pub["producer"]], "needs --curve-sink-key"),
            (["worker", "--curve-producer-key", "x" * 39 + '"', "--curve-sink-key",
              k.pub["sink"]], "--curve-producer-key is set but --curve-secret-key is not"),
        ]
        env = dict(os.environ)
        env["DIGEST_CURVE_SINK_KEY"] = "not-a-key-and-not-a-file"
        for args, want in cases[:5]:
            p = subprocess.run([os.path.join(BIN, args[0]), *args[1:]], capture_output=True,
                               timeout=10)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(want, p.stderr.decode(), args)
        p = subprocess.run([os.path.join(BIN, "worker"), "--curve-secret-key", k.sec["w1"],
                            "--curve-producer-key", k.pub["producer"]], capture_output=True,
                           env=env, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--curve-sink-key: cannot read key file not-a-key-and-not-a-file",
                      p.stderr.decode())
        args, want = cases[5]
        p = subprocess.run([os.path.join(BIN, args[0]), *args[1:]], capture_output=True,
                           timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn(want, p.stderr.decode())
        # A secret key others can read is used, with a warning.
        loose = os.path.join(self.work, "loose.key")
        shutil.copy(k.sec["w1"], loose)
        os.chmod(loose, 0o644)
        p = subprocess.Popen([os.path.join(BIN, "worker"), "--curve-secret-key", loose,
                              "--curve-producer-key", k.pub["producer"], "--curve-sink-key",
                              k.pub["sink"], "--chunks-connect", "tcp://127.0.0.1:9",
                              "--results-connect", "tcp://127.0.0.1:9"],
                             stderr=subprocess.PIPE)
        line = p.stderr.readline().decode()
        # Signal it once it runs (its handlers are in place by then).
        while "pulling from" not in p.stderr.readline().decode():
            self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertIn("can be read by other users (mode 644): chmod 600 it", line)
        for prog in ("producer", "worker", "sink"):
            out = subprocess.run([os.path.join(BIN, prog), "--help"],
                                 capture_output=True).stdout.decode()
            self.assertIn("--curve-secret-key", out)
            self.assertIn("DIGEST_CURVE_SECRET_KEY", out)
        out = subprocess.run([os.path.join(BIN, "curve-keygen"), "--help"],
                             capture_output=True).stdout.decode()
        self.assertIn("PREFIX.key", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
