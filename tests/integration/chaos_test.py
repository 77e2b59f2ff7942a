"""Fault tests: kill -9 a worker, the sink or the producer in the middle of
a run, restart it, and check that every article still ends as exactly one
stored digest, identical to a run without faults. Each test is bounded to
well under a minute.

Run: ND_BIN_DIR=build/bin python3 tests/integration/chaos_test.py
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Pipeline, Proxy, drop_file, files_in, wait_for  # noqa: E402
from harness import free_port as harness_free_port  # noqa: E402

N = 1500


def articles(n=N):
    out = []
    for i in range(n):
        text = " ".join("Item %d, paragraph %d: officials in Oslo and Nairobi met on Monday "
                        "to discuss a plan worth $%d million." % (i, j, i + j)
                        for j in range(3 + i % 9))
        out.append(json.dumps({"id": "c-%04d" % i, "title": "Story %d" % i, "text": text}))
    return ("\n".join(out) + "\n").encode()


def stored(db_path):
    """Rows of the store; none while the sink has not created it yet."""
    if not os.path.exists(db_path):
        return []
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT article_id, json FROM digests").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def comparable(j):
    """A digest without what legitimately differs between runs: the
    pipeline stamp, and the source (the file an article was read from)."""
    d = json.loads(j)
    d.pop("pipeline", None)
    d.pop("source", None)
    return d


class ChaosTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="nd-chaos-")
        self.pipe = None
        self.data = os.path.join(self.work, "in.jsonl")
        with open(self.data, "wb") as f:
            f.write(articles())

    def tearDown(self):
        if self.pipe:
            self.pipe.stop()
        if os.environ.get("ND_KEEP_LOGS"):
            print("logs kept in", self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def reference(self):
        """Digests of a run without faults, by article id."""
        ref = Pipeline(os.path.join(self.work, "ref"), workers=2)
        try:
            rc, log = ref.run_producer([self.data])
            self.assertEqual(rc, 0, log)
            return {a: comparable(j) for a, j in stored(ref.store)}
        finally:
            ref.stop()

    def start_producer(self, extra=()):
        log = open(os.path.join(self.work, "producer-%d.log" % len(self.pipe.procs)), "wb")
        p = subprocess.Popen([os.path.join(BIN, "producer"), "--chunks-bind",
                              self.pipe.ep("chunks"), "--acks-bind", self.pipe.ep("acks"),
                              "--progress", "never", "--ack-timeout", "1500", *extra, self.data],
                             stdout=log, stderr=subprocess.STDOUT)
        p.log_path = log.name
        self.pipe.procs.append(p)
        return p

    def wait_mid_run(self):
        """Return once a tenth of the articles are stored (polling every few
        milliseconds: a run takes well under a second), making sure the run
        is really not over yet (else the kill proves nothing)."""
        wait_for(lambda: len(stored(self.pipe.store)) >= N // 10, 60, "a tenth of the digests",
                 max_delay=0.005)
        self.assertLess(len(stored(self.pipe.store)), N, "the run ended before the kill")

    def check_exactly_once(self, ref):
        rows = stored(self.pipe.store)
        ids = [a for a, _ in rows]
        self.assertEqual(len(ids), N, "one stored digest per article")
        self.assertEqual(len(set(ids)), N, "no article stored twice")
        for a, j in rows:
            self.assertEqual(comparable(j), ref[a], "digest of %s differs from a clean run" % a)
        # The JSON Lines file is at-least-once: every stored digest is in
        # it; a kill between its write and the commit repeats the lines of
        # the transaction in hand (the sink commits 32 digests at most at a
        # time), and of the one before the restart, at most.
        out = self.pipe.digests()
        self.assertEqual({d["article_id"] for d in out}, set(ids), "the output has every digest")
        self.assertLessEqual(len(out) - N, 2 * 32, "at most the lines in hand at the kill repeat")

    def test_kill_a_worker_mid_run(self):
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=2, worker_args=["--prefetch", "64"])
        prod = self.start_producer()
        self.wait_mid_run()
        self.pipe.workers[0].send_signal(signal.SIGKILL)
        self.assertEqual(prod.wait(timeout=120), 0, self.pipe.log(prod))
        self.check_exactly_once(ref)

    def test_a_dead_worker_is_noticed_long_before_the_ack_deadline(self):
        """With a one-minute acknowledgement deadline, a worker that dies
        holding chunks still lets the run finish within seconds: its
        disconnection shortens the deadlines of what was in flight. The
        dying worker is a socket that takes chunks and never answers, so it
        certainly holds some when it goes."""
        import zmq
        ref = self.reference()
        # The fake worker is alone at first, so it surely gets chunks however
        # fast a real worker would be; the real one joins once it has them.
        self.pipe = Pipeline(self.work, workers=0)
        ctx = zmq.Context()
        hole = ctx.socket(zmq.PULL)
        hole.connect(self.pipe.ep("chunks"))
        prod = self.pipe.start_producer(
            [self.data], ["--ack-timeout", "60000", "--dead-worker-grace", "500"])
        taken = 0
        while taken < 50:
            if hole.poll(10000):
                hole.recv()
                taken += 1
            else:
                self.fail("the fake worker got no chunks")
        self.pipe.workers.append(self.pipe.start_worker())
        time.sleep(0.3)  # the real worker connects while the fake one still holds its chunks
        hole.close(0)
        ctx.term()
        self.assertEqual(prod.wait(timeout=30), 0, self.pipe.log(prod))
        log = self.pipe.log(prod)
        self.assertIn("a worker disconnected", log)
        self.assertIn("sending attempt 2", log)
        self.check_exactly_once(ref)

    def test_cut_links_between_workers_and_sink_mid_run(self):
        """Every worker-to-sink connection is cut mid-run and refused for a
        while; ZeroMQ reconnects, the producer resends what was lost, and
        every article is still stored exactly once."""
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=0)
        proxy = Proxy(self.pipe.ports["results"])
        try:
            for _ in range(2):
                self.pipe._start("worker", ["--chunks-connect", self.pipe.ep("chunks"),
                                            "--results-connect",
                                            "tcp://127.0.0.1:%d" % proxy.port])
            prod = self.pipe.start_producer([self.data], ["--ack-timeout", "1000"])
            self.wait_mid_run()
            proxy.cut()
            n = len(stored(self.pipe.store))
            import time
            time.sleep(0.5)  # the cut lasts a while: that is the fault under test
            proxy.heal()
            self.assertEqual(prod.wait(timeout=60), 0, self.pipe.log(prod))
            self.assertLess(n, N)
            self.check_exactly_once(ref)
        finally:
            proxy.close()

    def test_kill_and_restart_the_sink_mid_run(self):
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=2)
        prod = self.start_producer()
        self.wait_mid_run()
        self.pipe.sink.send_signal(signal.SIGKILL)
        self.pipe.sink.wait()
        self.pipe.sink = self.pipe._start("sink", [
            "--results-bind", self.pipe.ep("results"), "--digests-bind", self.pipe.ep("digests"),
            "--acks-connect", self.pipe.ep("acks"), "--store", self.pipe.store,
            "--out", self.pipe.out, "--http", ""], name="sink-restarted")
        self.assertEqual(prod.wait(timeout=120), 0, self.pipe.log(prod))
        self.check_exactly_once(ref)

    def test_kill_and_restart_the_producer_mid_run(self):
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=2)
        prod = self.start_producer()
        self.wait_mid_run()
        prod.send_signal(signal.SIGKILL)
        prod.wait()
        prod = self.start_producer()
        self.assertEqual(prod.wait(timeout=120), 0, self.pipe.log(prod))
        self.check_exactly_once(ref)

    def test_kill_the_producer_with_files_in_its_inbox(self):
        """kill -9 the producer of an inbox mid-run: the files it had not
        finished stay in the inbox; a restart finishes them, every article
        stored once."""
        ref = self.reference()
        inbox = os.path.join(self.work, "inbox")
        os.makedirs(inbox)
        with open(self.data, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        self.pipe = Pipeline(self.work, workers=2)
        for k in range(0, N, 100):
            drop_file(inbox, "part-%04d.jsonl" % k, b"".join(lines[k:k + 100]))
        prod = self.pipe.start_producer(extra=["--inbox", inbox, "--ack-timeout", "1500"])
        self.wait_mid_run()
        prod.send_signal(signal.SIGKILL)
        prod.wait()
        self.assertTrue(files_in(inbox), "unfinished files stay in the inbox")
        prod = self.pipe.start_producer(extra=["--inbox", inbox, "--ack-timeout", "1500"],
                                        name="producer-restarted")
        wait_for(lambda: not files_in(inbox), 60, "the inbox to empty")
        self.assertEqual(len(files_in(os.path.join(inbox, "done"))), N // 100)
        self.check_exactly_once(ref)
        prod.send_signal(signal.SIGTERM)
        self.assertEqual(prod.wait(timeout=10), 0)

    def test_an_article_never_acknowledged_is_reported_failed_with_the_reason(self):
        """With no sink at all, every article ends reported failed after the
        bounded attempts (and a failure notice), in bounded time, and the
        producer exits 1 saying why."""
        self.pipe = Pipeline(self.work, workers=1)
        self.pipe.sink.send_signal(signal.SIGKILL)
        self.pipe.sink.wait()
        data = os.path.join(self.work, "three.jsonl")
        with open(data, "w") as f:
            for i in range(3):
                f.write(json.dumps({"id": "lost-%d" % i, "text": "Officials met in Oslo."}) + "\n")
        rc, log = self.pipe.run_producer([data], ["--ack-timeout", "150", "--max-attempts", "2"],
                                         timeout=60)
        self.assertEqual(rc, 1, log)
        self.assertIn("3 of 3 articles failed", log)
        self.assertEqual(log.count("no acknowledgement after 2 attempts; sending a failure notice"), 3)
        self.assertIn("article lost-1 (%s:2): no acknowledgement after 2 attempts" % data, log)

    def test_a_failure_notice_becomes_a_stored_failed_digest(self):
        """When results never complete but the sink is reachable, the notice
        the producer sends after its last attempt is stored as a failed
        digest with the reason: the article does not vanish."""
        self.pipe = Pipeline(self.work, workers=0)
        # A worker that takes chunks but never answers: only the notice
        # (which a real worker passes on) gets through.
        data = os.path.join(self.work, "one.jsonl")
        with open(data, "w") as f:
            f.write(json.dumps({"id": "stuck", "text": "Officials met in Oslo."}) + "\n")
        import zmq
        ctx = zmq.Context()
        black_hole = ctx.socket(zmq.PULL)
        black_hole.connect(self.pipe.ep("chunks"))
        prod = self.pipe.start_producer([data], ["--ack-timeout", "150", "--max-attempts", "2"])
        # Attempt 2 goes to the black hole too; then the real worker takes
        # its place before the notice is due (300 ms or more later).
        wait_for(lambda: "sending attempt 2" in self.pipe.log(prod), 20, "the second attempt")
        black_hole.close(0)
        ctx.term()
        self.pipe.start_worker()
        self.assertEqual(prod.wait(timeout=30), 1, self.pipe.log(prod))
        rows = stored(self.pipe.store)
        self.assertEqual(len(rows), 1)
        d = json.loads(rows[0][1])
        self.assertEqual((d["article_id"], d["status"]), ("stuck", "failed"))
        self.assertIn("no acknowledgement after 2 attempts", d["error"])

    def test_kill_a_producer_reading_stdin_and_restart_from_its_journal(self):
        """Articles read from a pipe cannot be read again; the journal keeps
        them. kill -9 mid-run, restart with only --journal: every article is
        still stored exactly once."""
        ref = self.reference()
        journal = os.path.join(self.work, "producer.journal")
        self.pipe = Pipeline(self.work, workers=0)
        log = open(os.path.join(self.work, "producer-stdin.log"), "wb")
        prod = subprocess.Popen([os.path.join(BIN, "producer"), "--chunks-bind",
                                 self.pipe.ep("chunks"), "--acks-bind", self.pipe.ep("acks"),
                                 "--progress", "never", "--window", "5000", "--journal", journal,
                                 "-"], stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        self.pipe.procs.append(prod)
        with open(self.data, "rb") as f:
            prod.stdin.write(f.read())
        prod.stdin.flush()

        def journaled():
            with open(journal, "rb") as f:
                return f.read().count(b'{"add":')
        # Everything has been read (and journaled) before the kill.
        wait_for(lambda: journaled() == N, 60, "all articles in the journal")
        # Work starts only now, and the producer dies right after the first
        # digests, so the journal holds both settled and unsettled articles.
        self.pipe.start_worker()
        wait_for(lambda: len(stored(self.pipe.store)) >= 1, 60, "the first digest")
        prod.send_signal(signal.SIGKILL)
        prod.wait()
        prod.stdin.close()
        self.assertLess(len(stored(self.pipe.store)), N, "the run ended before the kill")
        rc, out = self.pipe.run_producer([], ["--journal", journal])
        self.assertEqual(rc, 0, out)
        self.assertIn("journal: resending", out)
        self.check_exactly_once(ref)
        # Everything settled: a third start has nothing to do.
        rc, out = self.pipe.run_producer([], ["--journal", journal])
        self.assertEqual(rc, 0, out)
        self.assertIn("0 articles", out)

    def test_chaos_run(self):
        """2,000 articles, three workers; a random worker is killed with -9
        and replaced every 300 ms, the sink and the producer are each killed
        once mid-run and restarted. Exactly 2,000 digests, equal to a
        fault-free run; the figures are printed."""
        import random
        import time
        n = 2000
        data = os.path.join(self.work, "chaos.jsonl")
        with open(data, "w") as f:
            for i in range(n):
                text = " ".join("Item %d, part %d: officials in Oslo met delegates from Nairobi "
                                "on Monday to discuss plan %d, worth $%d million, and agreed to "
                                "meet again next week." % (i, j, i * 7 + j, i + j)
                                for j in range(20 + i % 30))
                f.write(json.dumps({"id": "x-%05d" % i, "title": "Chaos %d" % i,
                                    "text": text}) + "\n")
        t0 = time.monotonic()
        ref_pipe = Pipeline(os.path.join(self.work, "ref"), workers=3)
        try:
            rc, log = ref_pipe.run_producer([data], timeout=300)
            self.assertEqual(rc, 0, log)
            ref = {a: comparable(j) for a, j in stored(ref_pipe.store)}
        finally:
            ref_pipe.stop()
        t_ref = time.monotonic() - t0

        rng = random.Random(7)
        self.pipe = Pipeline(self.work, workers=3)
        sink_args = ["--results-bind", self.pipe.ep("results"), "--digests-bind",
                     self.pipe.ep("digests"), "--acks-connect", self.pipe.ep("acks"),
                     "--store", self.pipe.store, "--out", self.pipe.out,
                     "--http", "127.0.0.1:%d" % self.pipe.ports["http"]]
        prod_args = ["--ack-timeout", "1000", "--dead-worker-grace", "300"]
        t0 = time.monotonic()
        prod = self.pipe.start_producer([data], prod_args, name="producer-1")
        producers = [prod]
        kills = {"worker": 0, "sink": 0, "producer": 0}
        workers = list(self.pipe.workers)
        next_kill = time.monotonic() + 0.3
        while prod.poll() is None:
            if time.monotonic() - t0 > 240:
                self.fail("the chaos run did not finish in 240 s")
            done = len(stored(self.pipe.store))
            if kills["sink"] == 0 and done >= n // 3:
                self.pipe.sink.send_signal(signal.SIGKILL)
                self.pipe.sink.wait()
                self.pipe.sink = self.pipe._start("sink", sink_args, name="sink-2")
                kills["sink"] += 1
            if kills["producer"] == 0 and done >= 2 * n // 3:
                prod.send_signal(signal.SIGKILL)
                prod.wait()
                prod = self.pipe.start_producer([data], prod_args, name="producer-2")
                producers.append(prod)
                kills["producer"] += 1
            if time.monotonic() >= next_kill:
                victim = rng.randrange(len(workers))
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                workers[victim] = self.pipe.start_worker()
                kills["worker"] += 1
                next_kill = time.monotonic() + 0.3
            time.sleep(0.01)
        t_chaos = time.monotonic() - t0
        self.assertEqual(prod.returncode, 0, self.pipe.log(prod))
        rows = stored(self.pipe.store)
        self.assertEqual(len(rows), n, "digests lost or doubled")
        self.assertEqual(len({a for a, _ in rows}), n)
        for a, j in rows:
            self.assertEqual(comparable(j), ref[a], a)
        resends = sum(self.pipe.log(p).count("sending attempt") for p in producers)
        status, body = self.pipe.http("/metrics")
        metrics = dict(line.rsplit(" ", 1) for line in body.decode().splitlines()
                       if line and not line.startswith("#"))
        print("\nchaos run: %d articles, kills survived: %d workers, %d sink, %d producer; "
              "%d resends; %s duplicate results and %s resent articles suppressed by the "
              "restarted sink; digests lost: %d; %.2f s against %.2f s fault-free (x%.2f)"
              % (n, kills["worker"], kills["sink"], kills["producer"], resends,
                 metrics.get("digest_duplicate_results_total", "?"),
                 metrics.get("digest_resends_total", "?"), n - len(rows), t_chaos, t_ref,
                 t_chaos / t_ref), file=sys.stderr)
        self.assertEqual(kills["sink"], 1)
        self.assertEqual(kills["producer"], 1)
        self.assertGreaterEqual(kills["worker"], 1)

    def test_garbage_on_every_socket_and_in_every_input(self):
        """Random and truncated frames to every listening socket; a 50 MB
        article, one over the chunk limit, invalid UTF-8, NUL bytes, an
        empty article and 100,000 one-word articles. Every program stays
        up, every bad input gets a failed digest naming the problem, every
        good input still yields its digest."""
        import random
        import socket
        import zmq
        rng = random.Random(11)
        self.pipe = Pipeline(self.work, workers=2)
        http_port = self.pipe.ports["http"]
        ingest = harness_free_port()
        inbox = os.path.join(self.work, "inbox")
        os.makedirs(inbox)
        prod = self.pipe.start_producer(extra=["--http", "127.0.0.1:%d" % ingest,
                                               "--inbox", inbox, "--max-chunks", "8",
                                               "--chunk-bytes", "256"])
        wait_for(lambda: "ingest on" in self.pipe.log(prod), 10, "the producer")
        # Raw bytes (not even ZMTP) and ZMTP frames with junk payloads.
        for port in (self.pipe.ports["results"], self.pipe.ports["acks"], http_port, ingest):
            for size in (0, 1, 7, 64, 5000):
                c = socket.create_connection(("127.0.0.1", port), timeout=5)
                c.sendall(bytes(rng.randrange(256) for _ in range(size)))
                c.close()
        ctx = zmq.Context()
        for ep in (self.pipe.ep("results"), self.pipe.ep("acks")):
            push = ctx.socket(zmq.PUSH)
            push.connect(ep)
            for size in (0, 3, 100, 4000):
                push.send(bytes(rng.randrange(256) for _ in range(size)))
            push.send(b"\x0a\x05ab")  # truncated protobuf
            push.close(linger=2000)
        ctx.term()
        wait_for(lambda: self.pipe.log(prod).count("dropped a") >= 5, 10, "the producer's drops")
        wait_for(lambda: self.pipe.log(self.pipe.sink).count("dropped a") >= 5, 10,
                 "the sink's drops")

        # Bad articles, each to a failed digest that names its problem.
        drop_file(inbox, "huge.txt",
                  b"Huge\n" + b"All work and no play. " * (50 * 1024 * 1024 // 22))
        drop_file(inbox, "long.txt", "Long\n" + "A sentence of a long article goes here. " * 100)
        drop_file(inbox, "nul.txt", b"Nul\nText with a \x00 byte.")
        drop_file(inbox, "utf8.txt", b"Bad bytes\nThe \xff\xfe caf\xe9 opened in Oslo on Monday.")
        drop_file(inbox, "empty.txt", b"")
        wait_for(lambda: len(files_in(os.path.join(inbox, "failed"))) == 4 and
                 files_in(os.path.join(inbox, "done")) == ["utf8.txt"], 60,
                 "the bad files to settle")
        by_title = {}
        for d in self.pipe.digests():
            by_title.setdefault(d["title"], d)
        self.assertIn("over --max-article-bytes", " ".join(
            d["error"] or "" for d in self.pipe.digests()))
        self.assertIn("over --max-chunks 8", by_title["Long"]["error"])
        self.assertIn("binary data", " ".join(d["error"] or "" for d in self.pipe.digests()))
        self.assertEqual(by_title["Bad bytes"]["status"], "ok")
        self.assertIn("has no text", " ".join(d["error"] or "" for d in self.pipe.digests()))

        # 100,000 one-word articles through the HTTP ingest, in batches.
        import urllib.request
        n, got = 100000, 0
        for start in range(0, n, 500):
            body = "".join(json.dumps({"id": "w%06d" % i, "text": "word%d" % i}) + "\n"
                           for i in range(start, start + 500)).encode()
            while True:
                req = urllib.request.Request("http://127.0.0.1:%d/v1/articles" % ingest,
                                             data=body, method="POST",
                                             headers={"Content-Type": "application/x-ndjson"})
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        got += len(json.loads(r.read())["ids"])
                        break
                except urllib.error.HTTPError as e:
                    self.assertEqual(e.code, 429)  # window full: back off and retry
                    import time
                    time.sleep(0.05)
        self.assertEqual(got, n)
        wait_for(lambda: json.loads(self.pipe.http("/healthz")[1])["digests"] >= n + 5, 240,
                 "every one-word digest")
        for p in (prod, self.pipe.sink, *self.pipe.workers):
            self.assertIsNone(p.poll(), "a program died")
        db = sqlite3.connect(self.pipe.store)
        ok = db.execute("SELECT count(*) FROM digests WHERE article_id LIKE 'w%' "
                        "AND status = 'ok'").fetchone()[0]
        db.close()
        self.assertEqual(ok, n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
