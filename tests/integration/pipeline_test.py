"""End-to-end tests of the pipeline: the real producer, workers and sink as
separate processes on loopback, real ZeroMQ sockets, a real SQLite store and
a subscriber on the real PUB socket (pyzmq, decoding with the protobuf
classes generated from proto/digest.proto).

Run all:   ND_BIN_DIR=build/bin python3 tests/integration/pipeline_test.py
Run one:   ... pipeline_test.py PipelineTest.test_two_thousand_articles
"""

import glob
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (BIN, SHARED, SOURCE, Pipeline, drop_file, files_in,  # noqa: E402
                     read_article, wait_for)

import zmq  # noqa: E402


class Subscriber:
    """Collects every (topic, payload) published on an endpoint, in a thread."""

    def __init__(self, endpoint):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"digest.")
        monitor = self.sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        self.sock.connect(endpoint)
        # Wait for the connection itself, then for the subscription to
        # travel to the publisher (it goes right after the handshake).
        if not monitor.poll(10000):
            raise AssertionError("subscriber could not connect to " + endpoint)
        monitor.recv_multipart()
        self.sock.disable_monitor()
        self.messages = []
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            if self.sock.poll(100):
                self.messages.append(self.sock.recv_multipart())

    def close(self):
        self.stopping = True
        self.thread.join()
        self.sock.close(0)
        self.ctx.term()


def fixture_articles():
    own = sorted(glob.glob(os.path.join(SOURCE, "examples/articles/*.txt")))
    shared = sorted(glob.glob(os.path.join(SHARED, "examples/*.txt")))
    if not shared:
        raise AssertionError("../shared/examples is absent: the integration test needs the "
                             "shared example articles beside the checkout")
    return own + shared


class PipelineTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="nd-it-")
        self.pipe = None

    def tearDown(self):
        if self.pipe:
            self.pipe.stop()
        failed = any(e for _, e in getattr(self._outcome, "errors", []) if e) or \
            bool(getattr(getattr(self._outcome, "result", None), "failures", []))
        if failed:
            print("logs kept in", self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def metrics(self, pipe):
        status, body = pipe.http("/metrics")
        self.assertEqual(status, 200)
        return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in body.decode().splitlines()
                                         if line and not line.startswith("#"))}

    def test_a_digest_built_by_a_worker_equals_the_one_the_sink_builds(self):
        """Workers build the digests of one-chunk articles themselves
        (--article-step on, the default); with it off the sink builds every
        digest. Both ways give the same digests, byte for byte, and the
        sink's metrics say which way each went."""
        files = fixture_articles()
        runs = {}
        for step in ("off", "on"):
            pipe = Pipeline(os.path.join(self.work, step), workers=2,
                            worker_args=["--article-step", step])
            try:
                rc, log = pipe.run_producer(files)
                self.assertEqual(rc, 0, log)
                wait_for(lambda: len(pipe.digests()) >= len(files), 10, "every digest")
                runs[step] = ({d["article_id"]: d for d in pipe.digests()}, self.metrics(pipe))
            finally:
                pipe.stop()
        (sink_built, m_off), (worker_built, m_on) = runs["off"], runs["on"]
        self.assertEqual(len(sink_built), len(files))
        self.assertEqual(sink_built, worker_built)
        one_chunk = sum(1 for d in worker_built.values() if d["stats"]["chunks"] == 1)
        self.assertGreater(one_chunk, 0)
        self.assertEqual(m_off["digest_worker_built_total"], 0)
        self.assertEqual(m_on["digest_worker_built_total"], one_chunk)

    def test_key_points_set_apart_on_sink_and_workers_are_named(self):
        """A sink and workers started with different --key-points would give
        one-chunk articles the workers' count: the sink says so in its log."""
        self.pipe = Pipeline(self.work, workers=1, sink_args=["--key-points", "1"])
        files = fixture_articles()[:2]
        rc, log = self.pipe.run_producer(files)
        self.assertEqual(rc, 0, log)
        wait_for(lambda: "set DIGEST_KEY_POINTS alike" in self.pipe.log(self.pipe.sink), 10,
                 "the sink's warning")

    def test_a_result_carrying_another_articles_digest_is_dropped(self):
        """A worker's digest must be its article's: one that is not is a bad
        frame, counted and logged, and nothing is stored."""
        pb2 = harness.load_pb2()
        self.pipe = Pipeline(self.work, workers=0)
        r = pb2.ChunkResult(schema=1, article_id="a-1", seq=0, total=1, attempt=1,
                            worker="test:1", title="T")
        r.digest.CopyFrom(pb2.Digest(schema=1, article_id="a-2", status=pb2.STATUS_OK,
                                     title="T"))
        bad_seq = pb2.ChunkResult(schema=1, article_id="a-3", seq=0, total=2, attempt=1,
                                  worker="test:1", title="T")
        bad_seq.digest.CopyFrom(pb2.Digest(schema=1, article_id="a-3", status=pb2.STATUS_OK))
        ctx = zmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.connect(self.pipe.ep("results"))
        push.send(r.SerializeToString())
        push.send(bad_seq.SerializeToString())
        push.close(linger=2000)
        ctx.term()
        wait_for(lambda: self.metrics(self.pipe).get("digest_bad_frames_total") == 2, 10,
                 "two bad frames counted")
        self.assertIn("dropped a result whose digest is not its article's",
                      self.pipe.log(self.pipe.sink))
        self.assertEqual(self.metrics(self.pipe)["digest_stored_digests"], 0)

    def test_each_article_yields_one_digest_everywhere(self):
        """Examples and our own articles through three workers: one digest
        each, key points are whole sentences of the article, stats add up,
        the store and the PUB stream hold the same digests."""
        pb2 = harness.load_pb2()
        files = fixture_articles()
        self.pipe = Pipeline(self.work, workers=3)
        sub = Subscriber(self.pipe.ep("digests"))
        try:
            rc, log = self.pipe.run_producer(files, ["--chunk-bytes", "700"])
            self.assertEqual(rc, 0, log)
            wait_for(lambda: len(sub.messages) >= len(files), 10, "all digests on PUB")
        finally:
            sub.close()
        digests = self.pipe.digests()
        self.assertEqual(len(digests), len(files))
        self.assertEqual(len({d["article_id"] for d in digests}), len(files))
        by_title = {d["title"]: d for d in digests}
        for path in files:
            title, body = read_article(path)
            self.assertIn(title, by_title, "no digest for " + path)
            d = by_title[title]
            self.assertEqual(d["status"], "ok", d)
            self.assertIsNone(d["error"])
            self.assertEqual(d["source"], path)
            # Stats add up: the chunks partition the body.
            st = d["stats"]
            self.assertEqual(st["bytes"], len(body.encode("utf-8")), path)
            self.assertGreaterEqual(st["chunks"], -(-st["bytes"] // 700))
            whitespace_words = len(body.split())
            self.assertTrue(0.8 * whitespace_words <= st["words"] <= 1.3 * whitespace_words,
                            (st, whitespace_words))
            self.assertGreater(st["sentences"], 0)
            # Key points: whole sentences of this article, in article order.
            kps = d["key_points"]
            self.assertGreaterEqual(len(kps), 1)
            self.assertLessEqual(len(kps), st["sentences"])
            self.assertEqual([k["sentence"] for k in kps], sorted(k["sentence"] for k in kps))
            for k in kps:
                self.assertIn(k["text"], body)
                self.assertRegex(k["text"], r"^[\"“‘'(A-Z0-9]")
                self.assertRegex(k["text"], r"[.!?][\"”’')]*$")
                self.assertNotIn("\n", k["text"])
                self.assertTrue(0 <= k["score"] <= 1)
            for e in d["entities"]:
                self.assertIn(e["type"], ("PERSON", "ORG", "LOC", "MISC", "DATE", "MONEY",
                                          "PERCENT"))
                self.assertGreaterEqual(e["mentions"], 1)
            self.assertEqual(d["pipeline"]["version"], d["pipeline"]["version"].strip())
            self.assertTrue(d["pipeline"]["model"])

        # The store holds the same digests.
        db = sqlite3.connect(self.pipe.store)
        rows = db.execute("SELECT article_id, status, json, proto FROM digests").fetchall()
        db.close()
        self.assertEqual(len(rows), len(files))
        stored = {r[0]: json.loads(r[2]) for r in rows}
        self.assertEqual(stored, {d["article_id"]: d for d in digests})

        # The stream carried them, decodable by another language's runtime.
        self.assertEqual(len(sub.messages), len(files))
        for topic, payload in sub.messages:
            self.assertEqual(topic, b"digest.ok")
            msg = pb2.Digest()
            msg.ParseFromString(payload)
            j = stored[msg.article_id]
            self.assertEqual(msg.title, j["title"])
            self.assertEqual([e.name for e in msg.entities], [e["name"] for e in j["entities"]])
            self.assertEqual([k.text for k in msg.key_points], [k["text"] for k in j["key_points"]])
            self.assertEqual(msg.stats.bytes, j["stats"]["bytes"])
        # Protobuf column equals the JSON column.
        for r in rows:
            msg = pb2.Digest()
            msg.ParseFromString(r[3])
            self.assertEqual(msg.article_id, r[0])

    def test_bad_input_gets_failed_digests_and_nothing_else_is_lost(self):
        """Empty, binary, oversized and malformed articles each end as one
        failed digest with a reason; good articles beside them are fine;
        the producer exits 1 and lists the failures."""
        d = os.path.join(self.work, "in")
        os.makedirs(d)
        with open(os.path.join(d, "empty.txt"), "w") as f:
            f.write("Only a title\n")
        with open(os.path.join(d, "binary.txt"), "wb") as f:
            f.write(bytes(range(256)) * 4)
        with open(os.path.join(d, "huge.txt"), "w") as f:
            f.write("Huge\n" + "This sentence repeats. " * 400)
        with open(os.path.join(d, "latin1.txt"), "wb") as f:
            f.write("Caf\xe9 Owner Speaks\nThe caf\xe9 owner said business was good. "
                    "Sales rose in May.".encode("latin-1"))
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write("Not an article: folders only contribute .txt and .jsonl files.\n")
        with open(os.path.join(d, "mixed.jsonl"), "w") as f:
            f.write('{"id": "good-1", "title": "Fine", "text": "A normal sentence here. '
                    'Another one follows."}\n')
            f.write('{"id": "broken", "text": \n')
            f.write('\n')
            f.write('{"id": "no-text", "title": "Nothing"}\n')
        self.pipe = Pipeline(self.work, workers=2)
        rc, log = self.pipe.run_producer([d], ["--max-article-bytes", "4096"])
        self.assertEqual(rc, 1, log)
        digests = self.pipe.digests()
        by_origin_title = {x["title"]: x for x in digests}
        self.assertEqual(len(digests), 7, [x["title"] for x in digests])
        failed = [x for x in digests if x["status"] == "failed"]
        ok = [x for x in digests if x["status"] == "ok"]
        # Invalid bytes become U+FFFD; the article itself goes through.
        self.assertEqual(sorted(x["title"] for x in ok), ["Caf\ufffd Owner Speaks", "Fine"])
        self.assertEqual(len(failed), 5)
        reasons = " | ".join(x["error"] for x in failed)
        for expected in ("has no text", "binary", "over --max-article-bytes", "invalid JSON",
                         'missing "text"'):
            self.assertIn(expected, reasons)
        self.assertIn("good-1", {x["article_id"] for x in ok})
        self.assertIn("no-text", {x["article_id"] for x in failed})
        self.assertIn("5 of 7 articles failed", log)
        self.assertIn("latin1.txt: 2 invalid UTF-8 sequences replaced", log)
        self.assertEqual(by_origin_title["Caf\ufffd Owner Speaks"]["stats"]["sentences"], 2)

    def test_json_lines_framing(self):
        """JSON Lines read in 64 KiB blocks: a line longer than the limit
        (here over one block) is one failed digest and the lines after it
        are fine; CRLF endings and a last line without a newline are read;
        lines that straddle a block boundary arrive whole."""
        path = os.path.join(self.work, "framing.jsonl")
        limit = 2000 * 2 + 65536  # --max-article-bytes 2000
        with open(path, "wb") as f:
            f.write(b'{"id": "first", "title": "First", "text": "The first one is fine."}\r\n')
            f.write(b'{"id": "too-long", "text": "' + b"x" * (limit + 5000) + b'"}\n')
            for i in range(40):  # about 70 KiB: some line crosses a block boundary
                f.write(json.dumps({"id": "mid-%d" % i, "title": "Mid %d" % i,
                                    "text": "Word " * 300 + "end."}).encode() + b"\r\n")
            f.write(b'{"id": "last", "title": "Last", "text": "No newline after this one."}')
        self.pipe = Pipeline(self.work, workers=1)
        rc, log = self.pipe.run_producer([path], ["--max-article-bytes", "2000"])
        self.assertEqual(rc, 1, log)
        digests = {x["article_id"]: x for x in self.pipe.digests()}
        self.assertEqual(len(digests), 43, sorted(digests))
        for k in ["first", "last"] + ["mid-%d" % i for i in range(40)]:
            self.assertEqual(digests[k]["status"], "ok", k)
        self.assertEqual(digests["mid-7"]["stats"]["words"], 301)
        failed = [x for x in digests.values() if x["status"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertIn("line longer than %d bytes" % limit, failed[0]["error"])

    def test_the_store_is_checkpointed_beside_the_sinks_loop(self):
        """Some 6 MiB of digests: the store's own thread copies the
        write-ahead log into the database every 2 MiB of log, so the log
        stays small and no commit of the sink's had to do it (the sink's
        metrics count both); every digest is in the store."""
        self.pipe = Pipeline(self.work, workers=2)
        n = 900
        words = ("The council met in Leeds on Monday and Mayor Ana Ribeiro said the "
                 "harbour plan would cost more than expected. ") * 30
        path = os.path.join(self.work, "many.jsonl")
        with open(path, "w") as f:
            for i in range(n):
                f.write(json.dumps({"id": "ck-%d" % i, "title": "Plan %d" % i,
                                    "text": "Report %d. %s" % (i, words)}) + "\n")
        rc, log = self.pipe.run_producer([path], timeout=300)
        self.assertEqual(rc, 0, log)
        m = self.metrics(self.pipe)
        self.assertEqual(m['digest_articles_total{status="ok"}'], n)
        self.assertGreaterEqual(m['digest_store_checkpoints_total{by="thread"}'], 1)
        self.assertEqual(m['digest_store_checkpoints_total{by="commit"}'], 0)
        wal = os.path.getsize(self.pipe.store + "-wal")
        self.assertLess(wal, 6 << 20)
        db = sqlite3.connect(self.pipe.store)
        self.assertEqual(db.execute("SELECT count(*) FROM digests").fetchone()[0], n)
        db.close()

    def test_workers_started_after_the_producer_report_the_connection(self):
        """A worker whose producer is already listening connects at once;
        the connection is still reported ("connected to the producer"), and
        the producer sees the worker come and go. Watching the socket began
        after the connect, and then about half of such workers never said
        it (the event came before anyone listened)."""
        self.pipe = Pipeline(self.work, workers=0)
        prod = self.pipe._start("producer", [
            "--chunks-bind", self.pipe.ep("chunks"), "--acks-bind", self.pipe.ep("acks"),
            "--progress", "never", "-"], stdin=subprocess.PIPE)
        wait_for(lambda: "chunks on" in self.pipe.log(prod), 10, "the producer to listen")
        for i in range(6):
            w = self.pipe.start_worker()
            wait_for(lambda: "connected to the producer" in self.pipe.log(w) and
                     "connected to the sink" in self.pipe.log(w), 10,
                     "worker %d to report its connections" % i)
            w.terminate()
            self.assertEqual(w.wait(timeout=10), 0, self.pipe.log(w))
            wait_for(lambda: self.pipe.log(prod).count("a worker disconnected") == i + 1, 10,
                     "the producer to see worker %d go" % i)
        prod.stdin.close()
        self.assertEqual(prod.wait(timeout=30), 0, self.pipe.log(prod))

    def test_a_stalled_worker_holds_only_a_few_dozen_chunks(self):
        """The producer queues little for any one worker (16 chunks on its
        side, 64 KiB socket buffers on both), so a worker that stops
        (SIGSTOP) holds a few dozen articles and the other worker gets the
        rest at once, before any deadline could resend them.
        (With ZeroMQ's defaults each worker was dealt every other article.)
        Once the worker resumes, every article is stored once."""
        self.pipe = Pipeline(self.work, workers=2)
        stalled, other = self.pipe.workers
        prod = self.pipe._start("producer", [
            "--chunks-bind", self.pipe.ep("chunks"), "--acks-bind", self.pipe.ep("acks"),
            "--progress", "never", "--ack-timeout", "60000", "-"], stdin=subprocess.PIPE)
        for w in (stalled, other):
            wait_for(lambda: "connected to the producer" in self.pipe.log(w), 10,
                     "both workers to connect")
        stalled.send_signal(signal.SIGSTOP)
        try:
            n = 600
            # About 6 KB in one chunk, but few words, so that a worker
            # built with sanitizers still takes them quickly.
            text = "The council approved the harbour plan %s today." % ("x" * 6000)
            t0 = time.monotonic()
            prod.stdin.write("".join(json.dumps({"id": "stall-%d" % i, "title": "Plan %d" % i,
                                                 "text": text}) + "\n"
                                     for i in range(n)).encode())
            prod.stdin.close()
            # Count well before the articles' deadlines (--ack-timeout 60 s
            # here) could resend what the stopped worker holds.
            deadline = t0 + 4.0
            while time.monotonic() < deadline and len(self.pipe.digests()) < n - 120:
                time.sleep(0.05)
            got = len(self.pipe.digests())
            self.assertGreaterEqual(got, n - 120,
                                    "only %d of %d digests while one worker was stopped" %
                                    (got, n))
        finally:
            stalled.send_signal(signal.SIGCONT)
        prod.wait(timeout=60)
        self.assertEqual(prod.returncode, 0, self.pipe.log(prod))
        ids = [d["article_id"] for d in self.pipe.digests()]
        self.assertEqual(len(set(ids)), n)

    def test_long_batch_waits_stall_and_lose_nothing(self):
        """Sink and producer holding their sockets 50 ms after each wake-up
        (--batch-wait-ms): articles sent in bursts, with pauses long enough
        for both to fall idle between them, all come out, once each."""
        self.pipe = Pipeline(self.work, workers=2, sink_args=["--batch-wait-ms", "50"])
        args = [os.path.join(BIN, "producer"), "--chunks-bind", self.pipe.ep("chunks"),
                "--acks-bind", self.pipe.ep("acks"), "--progress", "never",
                "--batch-wait-ms", "50", "-"]
        log = open(os.path.join(self.work, "producer-bursts.log"), "wb")
        prod = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        self.pipe.procs.append(prod)
        sent = 0
        for burst in range(4):
            for i in range(1 + burst * 40):
                prod.stdin.write((json.dumps({
                    "id": "burst-%d-%d" % (burst, i), "title": "Burst %d" % burst,
                    "text": "Officials in Oslo met on Monday. Ana Ribeiro said the plan "
                            "%d would cost more than expected." % i}) + "\n").encode())
                sent += 1
            prod.stdin.flush()
            want = sent
            wait_for(lambda: len(self.pipe.digests()) >= want, 20, "burst %d's digests" % burst)
            time.sleep(0.2)  # not a wait for readiness: the pause lets both fall idle
        prod.stdin.close()
        self.assertEqual(prod.wait(timeout=30), 0)
        ids = [d["article_id"] for d in self.pipe.digests()]
        self.assertEqual(len(ids), sent)
        self.assertEqual(len(set(ids)), sent)

    def test_two_thousand_articles(self):
        """2,000 generated articles through two workers: 2,000 distinct
        digests, none missing, none twice."""
        n = 2000
        lines = []
        people = ["Ana Ribeiro", "Tomas Berg", "Helena Vasquez", "Samuel Okafor", "Amira Haddad"]
        places = ["Lisbon", "Oslo", "Nairobi", "Montreal", "Riyadh", "Kyiv"]
        for i in range(n):
            p, q = people[i % 5], places[(i * 7) % 6]
            text = " ".join(
                "Report %d part %d: %s met officials in %s on Tuesday to discuss plan %d. "
                "Costs rose by %d percent, according to the ministry." % (i, j, p, q, i * 31 + j,
                                                                         (i + j) % 90)
                for j in range(1 + i % 12))
            lines.append(json.dumps({"id": "gen-%05d" % i, "title": "Generated story %d" % i,
                                     "source": "generator", "text": text}))
        data = ("\n".join(lines) + "\n").encode()
        self.pipe = Pipeline(self.work, workers=2)
        t0 = time.monotonic()
        rc, log = self.pipe.run_producer(["-"], ["--chunk-bytes", "1024"], stdin_data=data,
                                         timeout=300)
        wall = time.monotonic() - t0
        self.assertEqual(rc, 0, log[-3000:])
        digests = self.pipe.digests()
        ids = [x["article_id"] for x in digests]
        self.assertEqual(len(ids), n, "digests written")
        self.assertEqual(len(set(ids)), n, "distinct digests")
        self.assertEqual(set(ids), {"gen-%05d" % i for i in range(n)})
        self.assertTrue(all(x["status"] == "ok" for x in digests))
        db = sqlite3.connect(self.pipe.store)
        self.assertEqual(db.execute("SELECT count(DISTINCT article_id) FROM digests").fetchone()[0], n)
        db.close()
        print("\n2000-article run: %.2f s wall, %.0f articles/s (two workers, %d bytes of input)"
              % (wall, n / wall, len(data)), file=sys.stderr)

    def test_junk_frames_do_not_stop_the_sink_or_a_worker(self):
        """Garbage on the results socket and on the chunk stream is counted
        and dropped; real work still completes afterwards."""
        self.pipe = Pipeline(self.work, workers=1)
        ctx = zmq.Context()
        push = ctx.socket(zmq.PUSH)
        push.connect(self.pipe.ep("results"))
        for junk in (b"", b"\xff" * 50, b"\x0a\x05hello", os.urandom(3000)):
            push.send(junk)
        push.close(linger=2000)
        # A fake producer feeding the worker junk first.
        fake = ctx.socket(zmq.PUSH)
        fake.bind(self.pipe.ep("chunks"))
        for junk in (b"\x00\x01\x02", os.urandom(500)):
            fake.send(junk)
        wait_for(lambda: "dropped a" in self.pipe.log(self.pipe.workers[0]), 10,
                 "the worker to report the junk")
        fake.close(0)
        ctx.term()
        wait_for(lambda: self.pipe.log(self.pipe.sink).count("dropped a") >= 3, 10,
                 "the sink to report the junk")
        files = [os.path.join(SOURCE, "examples/articles/chess-final.txt")]
        rc, log = self.pipe.run_producer(files)
        self.assertEqual(rc, 0, log)
        self.assertEqual(len(self.pipe.digests()), 1)
        self.assertIsNone(self.pipe.sink.poll(), "sink still running")
        self.assertIsNone(self.pipe.workers[0].poll(), "worker still running")

    def test_a_resent_article_is_stored_and_published_once(self):
        """Running the same input twice: the second run is acknowledged
        from the store, with no second digest."""
        files = [os.path.join(SOURCE, "examples/articles/water-report.txt")]
        self.pipe = Pipeline(self.work, workers=1)
        self.assertEqual(self.pipe.run_producer(files)[0], 0)
        self.assertEqual(self.pipe.run_producer(files)[0], 0)
        self.assertEqual(len(self.pipe.digests()), 1)
        db = sqlite3.connect(self.pipe.store)
        self.assertEqual(db.execute("SELECT count(*) FROM digests").fetchone()[0], 1)
        db.close()


    def test_workers_and_sink_exit_cleanly_on_signals(self):
        """SIGTERM and SIGINT stop workers and the sink with status 0 after
        they finish what they hold."""
        import signal
        self.pipe = Pipeline(self.work, workers=2)
        files = [os.path.join(SOURCE, "examples/articles/harbour-bridge.txt")]
        self.assertEqual(self.pipe.run_producer(files)[0], 0)
        self.pipe.workers[0].send_signal(signal.SIGTERM)
        self.pipe.workers[1].send_signal(signal.SIGINT)
        self.pipe.sink.send_signal(signal.SIGTERM)
        for p in (*self.pipe.workers, self.pipe.sink):
            self.assertEqual(p.wait(timeout=10), 0, self.pipe.log(p))
        self.assertIn("1 digests stored", self.pipe.log(self.pipe.sink))
        self.assertIn("1 chunks processed", self.pipe.log(self.pipe.workers[0]) +
                      self.pipe.log(self.pipe.workers[1]))


    def test_a_worker_says_when_it_cannot_reach_the_producer(self):
        """A wrong endpoint is reported in the log, not retried in silence."""
        self.pipe = Pipeline(self.work, workers=0)
        w = self.pipe.start_worker()
        wait_for(lambda: "cannot reach the producer at " + self.pipe.ep("chunks")
                 in self.pipe.log(w), 15, "the worker's warning")
        self.assertNotIn("cannot reach the sink", self.pipe.log(w))
        self.assertIn("is it running", self.pipe.log(w))
        self.assertIsNone(w.poll(), "the worker keeps retrying")


    def test_inbox_files_move_to_done_or_failed_after_acknowledgement(self):
        """A watched inbox: each file is read once and moves to done/ (all
        its articles ok) or failed/ (any failed) only after the sink's
        acknowledgements; SIGTERM stops the service with status 0."""
        inbox = os.path.join(self.work, "inbox")
        os.makedirs(inbox)
        self.pipe = Pipeline(self.work, workers=2)
        prod = self.pipe.start_producer(extra=["--inbox", inbox])
        for name in ("chess-final.txt", "harbour-bridge.txt"):
            with open(os.path.join(SOURCE, "examples/articles", name), "rb") as f:
                drop_file(inbox, name, f.read())
        drop_file(inbox, "batch.jsonl", '{"id": "j1", "text": "Officials met in Oslo on '
                  'Monday to agree a budget."}\n{"id": "j2", "text": "The mayor of Lisbon '
                  'opened a new library on Friday."}\n')
        drop_file(inbox, "bad.jsonl", '{"id": "ok-1", "text": "A fine sentence about '
                  'Nairobi and its new railway line."}\n{"id": "bad-1"}\n')
        drop_file(inbox, "notes.md", "not an article\n")
        done, failed = os.path.join(inbox, "done"), os.path.join(inbox, "failed")
        wait_for(lambda: len(files_in(done)) == 3 and len(files_in(failed)) == 1, 30,
                 "the inbox files to settle")
        self.assertEqual(files_in(done), ["batch.jsonl", "chess-final.txt",
                                          "harbour-bridge.txt"])
        self.assertEqual(files_in(failed), ["bad.jsonl"])
        self.assertEqual(files_in(inbox), ["notes.md"])
        ids = sorted(d["article_id"] for d in self.pipe.digests())
        self.assertEqual(len(ids), 6)
        self.assertIn("bad-1", ids)
        # A second drop of a new file is picked up by the same running producer.
        drop_file(inbox, "late.txt", "Late Story\nA late article arrived in Oslo on Sunday.\n")
        wait_for(lambda: "late.txt" in files_in(done), 30, "the late file")
        self.assertEqual(len(self.pipe.digests()), 7)
        prod.send_signal(signal.SIGTERM)
        self.assertEqual(prod.wait(timeout=10), 0, self.pipe.log(prod))


class HttpTest(unittest.TestCase):
    """The sink's query API, with a real HTTP client against the real sink."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="nd-http-")
        cls.pipe = Pipeline(cls.work, workers=2)
        cls.files = fixture_articles()
        rc, log = cls.pipe.run_producer(cls.files)
        assert rc == 0, log
        cls.by_id = {d["article_id"]: d for d in cls.pipe.digests()}

    @classmethod
    def tearDownClass(cls):
        cls.pipe.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_a_digest_by_id_equals_the_stored_one(self):
        for aid, d in self.by_id.items():
            status, body = self.pipe.http("/v1/digests/" + aid)
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body), d)

    def test_nd_probe_passes_on_healthz_and_fails_on_errors_and_silence(self):
        probe = os.path.join(BIN, "nd-probe")
        base = "http://127.0.0.1:%d" % self.pipe.ports["http"]
        p = subprocess.run([probe, base + "/healthz"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(json.loads(p.stdout)["digests"], len(self.by_id))
        p = subprocess.run([probe, base + "/nope"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"HTTP 404", p.stderr)
        # A listener that never answers: the deadline ends the check.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        try:
            t0 = time.monotonic()
            p = subprocess.run([probe, "--timeout", "300",
                                "http://127.0.0.1:%d/healthz" % silent.getsockname()[1]],
                               capture_output=True, timeout=30)
            self.assertLess(time.monotonic() - t0, 5)
        finally:
            silent.close()
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no answer", p.stderr)
        self.assertIn(b"--timeout 300", p.stderr)
        p = subprocess.run([probe, "http://127.0.0.1:%d/healthz" % harness.free_port()],
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"cannot connect", p.stderr)
        p = subprocess.run([probe, "localhost:8080"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"expected http://HOST[:PORT]/PATH", p.stderr)

    def test_paging_returns_every_digest_once_oldest_first(self):
        seen, after, pages = [], 0, 0
        while True:
            status, body = self.pipe.http("/v1/digests?after=%d&limit=2" % after)
            self.assertEqual(status, 200)
            page = json.loads(body)
            if not page["digests"]:
                self.assertEqual(page["next"], after)
                break
            self.assertLessEqual(len(page["digests"]), 2)
            self.assertGreater(page["next"], after)
            seen += [d["article_id"] for d in page["digests"]]
            after, pages = page["next"], pages + 1
        self.assertEqual(sorted(seen), sorted(self.by_id))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(pages, -(-len(self.by_id) // 2))
        # Store order is the order the JSON Lines output was written in.
        self.assertEqual(seen, [d["article_id"] for d in self.pipe.digests()])

    def test_the_example_python_subscriber_sees_what_the_api_serves(self):
        """examples/consumers/subscribe.py, a consumer built on pyzmq and
        Google's protobuf runtime, decodes every digest of a run; its
        fields equal the JSON API's for the same article."""
        import subprocess as sp
        script = os.path.join(SOURCE, "examples/consumers/subscribe.py")
        env = dict(os.environ, PYTHONPATH=harness.PYGEN)
        sub = sp.Popen([sys.executable, script, "--endpoint", self.pipe.ep("digests"),
                        "--count", "2"], stdout=sp.PIPE, stderr=sp.PIPE, env=env)
        line = sub.stderr.readline().decode()
        self.assertIn("subscribed to", line)
        arts = "".join(json.dumps({"id": "sub-%d" % i, "title": "Sub %d" % i,
                                   "text": "Officials of Ruritania met in Oslo on Monday. "
                                   "They agreed to meet again in %d days." % (i + 3)}) + "\n"
                       for i in range(2))
        rc, log = self.pipe.run_producer(["-"], stdin_data=arts.encode())
        self.assertEqual(rc, 0, log)
        out, err = sub.communicate(timeout=20)
        self.assertEqual(sub.returncode, 0, err)
        got = [json.loads(x) for x in out.decode().splitlines()]
        self.assertEqual(sorted(d["article_id"] for d in got), ["sub-0", "sub-1"])
        for d in got:
            status, body = self.pipe.http("/v1/digests/" + d["article_id"])
            self.assertEqual(status, 200)
            self.assertEqual(d, json.loads(body))

    def test_bad_ids_and_parameters_are_client_errors(self):
        self.assertEqual(self.pipe.http("/v1/digests/no-such-article")[0], 404)
        self.assertEqual(self.pipe.http("/v1/digests/")[0], 400)
        self.assertEqual(self.pipe.http("/v1/digests/a/b")[0], 400)
        for q in ("after=-1", "after=x", "limit=0", "limit=1001", "limit=ten"):
            status, body = self.pipe.http("/v1/digests?" + q)
            self.assertEqual(status, 400, q)
            self.assertIn("error", json.loads(body))
        self.assertEqual(self.pipe.http("/nowhere")[0], 404)
        self.assertEqual(self.pipe.http("/v1/digests", method="POST", body=b"{}")[0], 405)

    def test_malformed_and_oversized_requests_are_refused(self):
        import socket
        for raw in (b"NOT HTTP AT ALL\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                    b"X-Pad: " + b"a" * 20000 + b"\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", self.pipe.ports["http"]), timeout=10)
            s.sendall(raw)
            reply = s.recv(4096)
            s.close()
            self.assertRegex(reply, rb"^HTTP/1.1 (400|413) ")
        status, _ = self.pipe.http("/healthz", method="GET", body=b"x" * 10000,
                                   headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 413)
        self.assertIsNone(self.pipe.sink.poll(), "the sink is still running")

    def test_health_and_metrics(self):
        status, body = self.pipe.http("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["digests"], len(self.files))
        status, body = self.pipe.http("/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertIn('digest_articles_total{status="ok"} %d' % len(self.files), text)
        self.assertIn("digest_latency_seconds_count %d" % len(self.files), text)
        self.assertRegex(text, r"digest_results_total \d+")
        self.assertIn("# TYPE digest_latency_seconds histogram", text)


class IngestTest(unittest.TestCase):
    """POST /v1/articles on the producer, with a real HTTP client."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="nd-ingest-")
        self.pipe = None

    def tearDown(self):
        if self.pipe:
            self.pipe.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def start(self, workers, extra=()):
        self.pipe = Pipeline(self.work, workers=workers)
        self.port = harness.free_port()
        self.prod = self.pipe.start_producer(extra=["--http", "127.0.0.1:%d" % self.port,
                                                    *extra])
        wait_for(lambda: "ingest on" in self.pipe.log(self.prod), 10, "the ingest endpoint")

    def post(self, body, ctype="application/json", method="POST"):
        import urllib.error
        import urllib.request
        req = urllib.request.Request("http://127.0.0.1:%d/v1/articles" % self.port,
                                     data=body, method=method,
                                     headers={"Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def test_posted_articles_become_digests(self):
        self.start(workers=2)
        one = {"id": "post-1", "title": "Posted", "text": "Officials in Oslo met on Monday to "
               "agree a new budget for the city."}
        status, body, _ = self.post(json.dumps(one, indent=2).encode())
        self.assertEqual(status, 202, body)
        self.assertEqual(json.loads(body), {"ids": ["post-1"]})
        batch = "\n".join(json.dumps({"title": "B%d" % i, "text": "Story number %d happened in "
                                      "Lisbon on Friday." % i}) for i in range(3)) + "\n"
        status, body, _ = self.post(batch.encode(), "application/x-ndjson")
        self.assertEqual(status, 202, body)
        ids = json.loads(body)["ids"]
        self.assertEqual(len(ids), 3)
        for aid in ["post-1", *ids]:
            wait_for(lambda: self.pipe.http("/v1/digests/" + aid)[0] == 200, 20,
                     "the digest of " + aid)
        d = json.loads(self.pipe.http("/v1/digests/post-1")[1])
        self.assertEqual((d["title"], d["status"]), ("Posted", "ok"))

    def test_idle_programs_use_no_cpu(self):
        # Sockets watched on an event loop must not keep it spinning when
        # nothing happens: before and after a little work, a sink, a worker
        # and a producer serving HTTP each use almost no CPU over 2 s.
        self.start(workers=1)

        def cpu_seconds(p):
            with open("/proc/%d/stat" % p.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        procs = {"sink": self.pipe.sink, "worker": self.pipe.workers[0], "producer": self.prod}
        for phase in ("idle", "after work"):
            if phase == "after work":
                status, body, _ = self.post(json.dumps({"id": "idle-1", "text": "Officials "
                                                        "met in Oslo on Monday."}).encode())
                self.assertEqual(status, 202, body)
                wait_for(lambda: self.pipe.http("/v1/digests/idle-1")[0] == 200, 20,
                         "the digest of idle-1")
                time.sleep(0.5)  # acks and monitors settle
            before = {k: cpu_seconds(p) for k, p in procs.items()}
            time.sleep(2)
            for k, p in procs.items():
                used = cpu_seconds(p) - before[k]
                self.assertLess(used, 0.25, "%s used %.2f s of CPU in 2 s %s" % (k, used, phase))

    def test_bad_requests_are_refused_whole(self):
        self.start(workers=1, extra=["--http-max-body", "2048"])
        good = json.dumps({"text": "A sentence about Nairobi."})
        status, body, _ = self.post((good + "\n{not json\n" + good + "\n").encode())
        self.assertEqual(status, 400)
        self.assertIn("line 2: invalid JSON", json.loads(body)["error"])
        status, body, _ = self.post(b'{"title": "no text"}')
        self.assertEqual(status, 400)
        self.assertIn('missing "text"', json.loads(body)["error"])
        self.assertEqual(self.post(b"")[0], 400)
        self.assertEqual(self.post(good.encode(), "text/plain")[0], 415)
        self.assertEqual(self.post(None, method="GET")[0], 405)
        big = json.dumps({"text": "word " * 1000}).encode()
        self.assertEqual(self.post(big)[0], 413)
        # Nothing of the refused requests went in.
        self.assertEqual(self.pipe.digests(), [])
        self.assertIsNone(self.prod.poll(), "the producer is still running")

    def test_a_full_window_answers_429_with_retry_after(self):
        self.start(workers=0, extra=["--window", "2"])
        arts = [json.dumps({"id": "w%d" % i, "text": "Text %d about Oslo." % i}) for i in range(3)]
        self.assertEqual(self.post(("\n".join(arts[:2]) + "\n").encode())[0], 202)
        status, body, headers = self.post(arts[2].encode())
        self.assertEqual(status, 429, body)
        self.assertEqual(headers["Retry-After"], "1")
        # Once workers drain the window, the same article is taken.
        self.pipe.start_worker()
        wait_for(lambda: self.post(arts[2].encode())[0] == 202, 20, "room in the window")

    def test_the_journal_of_a_long_running_ingest_stays_bounded(self):
        """A service journals every article it takes; settled ones must not
        pile up in the file for as long as it runs."""
        journal = os.path.join(self.work, "producer.journal")
        # A window of 250 articles keeps at most about 0.5 MB of them pending.
        self.start(workers=2, extra=["--journal", journal, "--window", "250"])
        body = "The council of Port Aldwin met on Monday. " * 50  # about 2 KB
        largest, n = 0, 0
        for batch in range(16):  # 16 x 250 articles of 2 KB: about 8 MB journaled
            lines = "".join(json.dumps({"id": "j%d" % (n + i), "title": "T", "text": body})
                            + "\n" for i in range(250))
            wait_for(lambda: self.post(lines.encode(), "application/x-ndjson")[0] == 202, 30,
                     "room in the window for batch %d" % batch)
            n += 250
            largest = max(largest, os.path.getsize(journal))
        wait_for(lambda: json.loads(self.pipe.http("/healthz")[1])["digests"] == n, 60,
                 "all %d digests" % n)
        wait_for(lambda: self.http_in_flight() == 0, 30, "the producer to settle everything")
        largest = max(largest, os.path.getsize(journal))
        self.assertGreater(n * len(body), 8 << 20)
        self.assertLess(largest, 6 << 20, "the journal grew to %d bytes" % largest)
        self.assertIsNone(self.prod.poll(), "the producer is still running")

    def http_in_flight(self):
        import urllib.request
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.port, timeout=10) as r:
            return json.load(r)["in_flight"]


class CommandTest(unittest.TestCase):
    """The one-shot `digest` command and the programs' command lines."""

    def run_cmd(self, args, **kw):
        return subprocess.run([os.path.join(BIN, args[0]), *args[1:]], capture_output=True,
                              timeout=120, **kw)

    def test_digest_prints_one_json_line_per_article(self):
        files = fixture_articles()
        p = self.run_cmd(["digest", "--workers", "2", *files])
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        lines = [json.loads(x) for x in p.stdout.decode().splitlines() if x.strip()]
        self.assertEqual(len(lines), len(files))
        self.assertEqual({x["title"] for x in lines}, {read_article(f)[0] for f in files})
        # A clean run says nothing on stderr (no progress line off a terminal).
        self.assertEqual(p.stderr.decode(), "")

    def test_digest_text_format_and_stdin(self):
        art = json.dumps({"id": "s1", "title": "Stdin Story",
                          "text": "Officials in Oslo met on Monday. They agreed on a plan."})
        p = self.run_cmd(["digest", "--workers", "1", "--format", "text", "-"],
                         input=(art + "\n").encode())
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out = p.stdout.decode()
        self.assertIn("Stdin Story", out)
        self.assertIn("Officials in Oslo met on Monday.", out)
        self.assertFalse(out.lstrip().startswith("{"))

    def test_usage_errors_are_clear(self):
        p = self.run_cmd(["digest", "--wrokers", "2", "x"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"unknown option --wrokers", p.stderr)
        p = self.run_cmd(["digest", "/nonexistent/article.txt"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"cannot read /nonexistent/article.txt", p.stderr)
        p = self.run_cmd(["digest"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"no input", p.stderr)
        p = self.run_cmd(["producer", "--chunk-bytes", "0", "x"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--chunk-bytes", p.stderr)
        p = self.run_cmd(["worker", "--chunks-connect", "nonsense"])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"cannot connect to nonsense", p.stderr)
        for prog in ("worker", "sink"):
            p = self.run_cmd([prog, "--idf", "/nonexistent/idf.model"])
            self.assertEqual(p.returncode, 1, prog)
            self.assertIn(b"--idf /nonexistent/idf.model: ", p.stderr, prog)
        p = self.run_cmd(["worker", "--article-step", "maybe"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--article-step", p.stderr)

    def test_every_setting_has_help_and_a_readme_row(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for prog in ("producer", "worker", "sink", "digest", "nd-probe"):
            p = self.run_cmd([prog, "--help"])
            self.assertEqual(p.returncode, 0)
            self.assertIn(b"usage: " + prog.encode(), p.stdout)
            rows = self.run_cmd([prog, "--help-markdown"]).stdout.decode().splitlines()
            self.assertTrue(rows)
            for row in rows:
                self.assertIn(row, readme, "README's settings table lacks or differs: " + row)


if __name__ == "__main__":
    unittest.main(verbosity=2)
