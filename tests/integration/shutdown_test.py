"""Graceful shutdown with real signals: the producer, a worker and the sink
each get SIGTERM in the middle of a run. Each exits 0; the producer stops
reading, waits at most --drain-timeout for what is in flight and leaves the
rest in its journal; nothing is lost: a restart finishes the run, every
article stored exactly once and equal to a run without signals.

Run: ND_BIN_DIR=build/bin python3 tests/integration/shutdown_test.py
"""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, Pipeline, wait_for  # noqa: E402
from chaos_test import articles, comparable, stored  # noqa: E402

import zmq  # noqa: E402

N = 1500


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="nd-shutdown-")
        self.pipe = None
        self.data = os.path.join(self.work, "in.jsonl")
        with open(self.data, "wb") as f:
            f.write(articles(N))
        self.journal = os.path.join(self.work, "producer.journal")

    def tearDown(self):
        if self.pipe:
            self.pipe.stop()
        if os.environ.get("ND_KEEP_LOGS"):
            print("logs kept in", self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def reference(self):
        ref = Pipeline(os.path.join(self.work, "ref"), workers=2)
        try:
            rc, log = ref.run_producer([self.data])
            self.assertEqual(rc, 0, log)
            return {a: comparable(j) for a, j in stored(ref.store)}
        finally:
            ref.stop()

    def check_exactly_once(self, ref):
        rows = stored(self.pipe.store)
        self.assertEqual(len(rows), N, "one stored digest per article")
        self.assertEqual(len({a for a, _ in rows}), N, "no article stored twice")
        for a, j in rows:
            self.assertEqual(comparable(j), ref[a], a)

    def start_stdin_producer(self, extra=()):
        """A producer reading every article from a pipe, with a journal.
        The whole input is written before this returns, so give a --window
        of at least N (else the write waits for acknowledgements)."""
        log = open(os.path.join(self.work, "producer-1.log"), "wb")
        prod = subprocess.Popen([os.path.join(BIN, "producer"), "--chunks-bind",
                                 self.pipe.ep("chunks"), "--acks-bind", self.pipe.ep("acks"),
                                 "--progress", "never", "--journal", self.journal, *extra, "-"],
                                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        prod.log_path = log.name
        self.pipe.procs.append(prod)
        with open(self.data, "rb") as f:
            prod.stdin.write(f.read())
        prod.stdin.close()
        return prod

    def finish_from_journal(self, ref):
        rc, out = self.pipe.run_producer([], ["--journal", self.journal])
        self.assertEqual(rc, 0, out)
        self.assertIn("journal: resending", out)
        self.check_exactly_once(ref)

    def test_a_batch_producer_drains_on_sigterm_and_a_restart_finishes_the_run(self):
        """SIGTERM mid-run: the producer stops taking articles, waits for
        the acknowledgements of those in flight and exits 0 well before
        the run would have ended; started again on the same file, it
        finishes the run, every article stored once."""
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=2)
        prod = self.pipe.start_producer([self.data], ["--window", "50"])
        wait_for(lambda: len(stored(self.pipe.store)) >= N // 10, 60, "a tenth of the digests",
                 max_delay=0.005)
        prod.send_signal(signal.SIGTERM)
        self.assertEqual(prod.wait(timeout=20), 0, self.pipe.log(prod))
        log = self.pipe.log(prod)
        self.assertIn("taking no more input", log)
        m = re.search(r"stopped by a signal: (\d+) articles acknowledged while draining, "
                      r"(\d+) unacknowledged and (\d+) read but not sent: a start with the "
                      r"same inputs sends them again", log)
        self.assertTrue(m, log)
        self.assertEqual(int(m.group(2)), 0, "a drain with healthy workers leaves nothing")
        done = len(stored(self.pipe.store))
        self.assertLess(done, N // 2, "the producer went on reading after the signal")
        # Everything it counted acknowledged is stored.
        acked = int(re.search(r"(\d+) articles: (\d+) ok", log).group(2))
        self.assertEqual(done, acked)
        rc, out = self.pipe.run_producer([self.data])
        self.assertEqual(rc, 0, out)
        self.check_exactly_once(ref)

    def test_unacknowledged_articles_wait_at_most_the_drain_timeout(self):
        """With a worker that takes chunks and never answers, nothing in
        flight is acknowledged: the producer exits 0 once --drain-timeout
        is over, and the articles stay in its journal; a restart with only
        the journal and a real worker stores each exactly once."""
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=0)
        ctx = zmq.Context()
        hole = ctx.socket(zmq.PULL)
        hole.connect(self.pipe.ep("chunks"))
        try:
            prod = self.start_stdin_producer(["--window", "5000", "--drain-timeout", "1500"])

            def journaled():
                with open(self.journal, "rb") as f:
                    return f.read().count(b'{"add":')
            wait_for(lambda: journaled() == N, 60, "every article in the journal")
            self.assertTrue(hole.poll(10000), "the black hole got chunks")
            t0 = time.monotonic()
            prod.send_signal(signal.SIGTERM)
            self.assertEqual(prod.wait(timeout=20), 0, self.pipe.log(prod))
            waited = time.monotonic() - t0
        finally:
            hole.close(0)
            ctx.term()
        log = self.pipe.log(prod)
        self.assertIn("--drain-timeout 1500 ms is over: stopping with %d articles "
                      "unacknowledged" % N, log)
        self.assertIn("they stay in the journal for the next start", log)
        self.assertGreaterEqual(waited, 1.4)
        self.assertLess(waited, 6)
        self.assertEqual(stored(self.pipe.store), [])
        self.pipe.start_worker()
        self.finish_from_journal(ref)

    def test_a_second_signal_stops_the_producer_at_once(self):
        self.pipe = Pipeline(self.work, workers=0)
        ctx = zmq.Context()
        hole = ctx.socket(zmq.PULL)
        hole.connect(self.pipe.ep("chunks"))
        try:
            prod = self.start_stdin_producer(["--window", "5000", "--drain-timeout", "600000"])
            self.assertTrue(hole.poll(10000), "the black hole got chunks")
            prod.send_signal(signal.SIGTERM)
            wait_for(lambda: "taking no more input" in self.pipe.log(prod), 10, "the drain")
            self.assertIsNone(prod.poll(), "the producer waits for its acknowledgements")
            prod.send_signal(signal.SIGINT)
            self.assertEqual(prod.wait(timeout=10), 0, self.pipe.log(prod))
        finally:
            hole.close(0)
            ctx.term()
        self.assertIn("again: stopping now", self.pipe.log(prod))

    def test_a_worker_stopped_mid_run_exits_0_and_nothing_is_lost(self):
        """One worker does the first tenth of the run alone; a second one
        joins and the first gets SIGTERM while it holds queued chunks. It
        exits 0 after the chunk in hand; what was queued for it is resent,
        and every article is stored exactly once."""
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=1, worker_args=["--prefetch", "64"])
        prod = self.pipe.start_producer([self.data], ["--dead-worker-grace", "300"])
        wait_for(lambda: len(stored(self.pipe.store)) >= N // 10, 60, "a tenth of the digests",
                 max_delay=0.005)
        self.pipe.workers.append(self.pipe.start_worker(["--prefetch", "64"]))
        w = self.pipe.workers[0]
        w.send_signal(signal.SIGTERM)
        self.assertEqual(w.wait(timeout=15), 0, self.pipe.log(w))
        self.assertLess(len(stored(self.pipe.store)), N, "the run ended before the signal")
        self.assertRegex(self.pipe.log(w), r"stopping: [1-9]\d* chunks processed")
        self.assertEqual(prod.wait(timeout=60), 0, self.pipe.log(prod))
        self.check_exactly_once(ref)

    def test_the_sink_stopped_mid_run_exits_0_and_a_restart_finishes(self):
        """SIGTERM to the sink mid-run: it exits 0 with its store intact
        (every stored digest whole, the database consistent); restarted,
        it takes the producer's resends and the run completes."""
        ref = self.reference()
        self.pipe = Pipeline(self.work, workers=2)
        prod = self.pipe.start_producer([self.data], ["--ack-timeout", "1000"])
        wait_for(lambda: len(stored(self.pipe.store)) >= N // 10, 60, "a tenth of the digests",
                 max_delay=0.005)
        sink = self.pipe.sink
        sink.send_signal(signal.SIGTERM)
        self.assertEqual(sink.wait(timeout=10), 0, self.pipe.log(sink))
        m = re.search(r"stopped: (\d+) digests stored", self.pipe.log(sink))
        self.assertTrue(m, self.pipe.log(sink))
        db = sqlite3.connect(self.pipe.store)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            n = db.execute("SELECT count(*) FROM digests").fetchone()[0]
        finally:
            db.close()
        self.assertEqual(n, int(m.group(1)), "every digest the sink stored is in the store")
        self.assertLess(n, N, "the run ended before the signal")
        for a, j in stored(self.pipe.store):
            self.assertEqual(comparable(j), ref[a], a)
        self.assertIsNone(prod.poll(), "the producer waits for the sink")
        self.pipe.sink = self.pipe._start("sink", [
            "--results-bind", self.pipe.ep("results"), "--digests-bind", self.pipe.ep("digests"),
            "--acks-connect", self.pipe.ep("acks"), "--store", self.pipe.store,
            "--out", self.pipe.out, "--http", ""], name="sink-restarted")
        self.assertEqual(prod.wait(timeout=60), 0, self.pipe.log(prod))
        self.check_exactly_once(ref)


if __name__ == "__main__":
    unittest.main(verbosity=2)
