#!/usr/bin/env python3
"""pipeline-bench: the whole pipeline on loopback, measured.

Runs the real programs (sink, workers, producer) on free loopback ports and
prints, each as the median of --runs runs with the slowest and fastest:

  1. throughput with 1 and 2 workers: articles/s from the producer's start
     to its exit (every article acknowledged, so every digest stored), its
     ratio to the in-process worker step measured by nlp-bench in the same
     run on the same articles, the scaling from 1 to 2 workers, and the
     distribution overhead per article (1-worker pipeline time minus the
     in-process worker step time, per article);
  2. latency from an article entering the producer (written to its stdin)
     to its digest arriving on the sink's digest stream (published right
     after it is stored), p50 and p99, for articles of about 1,000 words
     sent at half the saturated 2-worker rate;
  3. peak resident memory of each program (VmHWM while it runs), and the
     producer's and the sink's resident memory while many small articles
     stream through (sampled at the start, middle and end: it must not
     grow with the number processed).

Targets from the project's performance issue are marked PASS or MISS; the
benchmark never fails on a figure (shared machines are noisy), only when the
pipeline itself fails. The corpus: the BBC articles of
../shared/data/news-summ/bbc-dev.jsonl when present (see that folder's
README), else articles generated from a fixed seed; the 1,000-word articles
for latency and the small ones for the memory run are generated.

Usage: bench/pipeline_bench.py --bin build-release/bin [--quick] [--runs N]
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

WORDS = ("the council said on monday that the new harbour bridge would open next year after "
         "a decade of delays and disputes over its cost route and design while engineers "
         "warned that rising water levels and heavy lorries could shorten its life unless "
         "the port authority found money for repairs officials in the capital welcomed the "
         "decision farmers unions criticised it and ministers promised a review").split()
NAMES = ["Helena Vasquez", "Samuel Okafor", "Port Aldwin", "Northern Institute", "Oslo",
         "Maria Lindqvist", "European Investment Bank", "Jonas Weber", "Lagos", "Quito"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def gen_article(rng, words, idx):
    """A deterministic article of about `words` words in sentences."""
    out, n = [], 0
    while n < words:
        k = rng.randint(12, 24)
        w = [rng.choice(WORDS) for _ in range(k)]
        w.insert(rng.randint(0, k), rng.choice(NAMES))
        s = " ".join(w)
        out.append(s[0].upper() + s[1:] + ".")
        n += k + 1
    return {"id": "gen-%d-%d" % (words, idx), "title": "Article %d" % idx, "text": " ".join(out)}


def load_corpus(shared, quick):
    path = os.path.join(shared, "data", "news-summ", "bbc-dev.jsonl")
    arts = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                arts.append({"id": "bbc-" + a["id"], "title": a["title"], "text": a["text"]})
        source = "%d BBC articles (%s)" % (len(arts), path)
    else:
        rng = random.Random(7)
        arts = [gen_article(rng, 450, i) for i in range(500)]
        source = "500 generated articles of about 450 words (../shared absent)"
    if quick:
        arts = arts[:60]
    return arts, source, path if os.path.exists(path) else None


def write_jsonl(path, arts, copies=1):
    with open(path, "w", encoding="utf-8") as f:
        for c in range(copies):
            for a in arts:
                b = dict(a)
                b["id"] = "%s-%d" % (a["id"], c)
                f.write(json.dumps(b) + "\n")


class Run:
    """One pipeline: sink + workers now, producer when asked."""

    def __init__(self, bindir, workdir, workers, extra_sink=()):
        self.bindir, self.workdir = bindir, workdir
        self.ports = {k: free_port() for k in ("chunks", "results", "acks", "digests")}
        self.procs = {}
        self.usage = {}
        self.cpu = {}  # CPU seconds, as last seen
        self.start("sink", ["--results-bind", self.ep("results"), "--digests-bind",
                            self.ep("digests"), "--acks-connect", self.ep("acks"), "--store",
                            os.path.join(workdir, "digests.db"), "--http", "",
                            "--log-level", "warn", *extra_sink])
        for i in range(workers):
            self.start("worker-%d" % i, ["--chunks-connect", self.ep("chunks"),
                                         "--results-connect", self.ep("results"),
                                         "--log-level", "warn"])

    def ep(self, name):
        return "tcp://127.0.0.1:%d" % self.ports[name]

    def start(self, name, args, stdin=None):
        prog = name.split("-")[0]
        log = open(os.path.join(self.workdir, name + ".log"), "wb")
        p = subprocess.Popen([os.path.join(self.bindir, prog), *args], stdout=log,
                             stderr=subprocess.STDOUT, stdin=stdin or subprocess.DEVNULL)
        self.procs[name] = p
        return p

    def producer(self, inputs, stdin=None):
        return self.start("producer", ["--chunks-bind", self.ep("chunks"), "--acks-bind",
                                       self.ep("acks"), "--progress", "never", "--log-level",
                                       "warn", *inputs], stdin=stdin)

    def note_peak(self, name):
        """Keep the child's peak resident memory (VmHWM, kB). Not getrusage:
        its ru_maxrss counts the forked Python before exec."""
        kb = status_kb(self.procs[name].pid, "VmHWM:")
        if kb:
            self.usage[name] = max(self.usage.get(name, 0), kb)
        try:
            with open("/proc/%d/stat" % self.procs[name].pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.cpu[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass

    def reap(self, name, timeout):
        """Wait for a child, noting its peak memory while it runs."""
        p = self.procs[name]
        deadline = time.monotonic() + timeout
        last = 0
        while time.monotonic() < deadline:
            now = time.monotonic()
            if now - last > 0.05:
                self.note_peak(name)
                last = now
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                p.returncode = os.waitstatus_to_exitcode(status)
                self.cpu[name] = ru.ru_utime + ru.ru_stime  # exact, at exit
                return p.returncode
            time.sleep(0.002)
        raise RuntimeError("%s did not exit within %ss" % (name, timeout))

    def stop(self):
        for name, p in self.procs.items():
            if p.returncode is None and p.poll() is None:
                self.note_peak(name)
                p.send_signal(signal.SIGTERM)
        for name, p in self.procs.items():
            if p.returncode is None:
                try:
                    self.reap(name, 20)
                except RuntimeError:
                    p.kill()
                    p.wait()


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid):
    return status_kb(pid, "VmRSS:")


def median_spread(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt(v):
    return "%.0f" % v if v >= 100 else "%.3g" % v


def row(name, xs, unit, target=""):
    m, lo, hi = median_spread(xs)
    print("%-52s %10s %-12s %s - %s %s" % (name, fmt(m), unit, fmt(lo), fmt(hi), target))


def row2(name, xs, unit, target=""):
    """A ratio: two decimals."""
    m, lo, hi = median_spread(xs)
    print("%-52s %10.2f %-12s %.2f - %.2f %s" % (name, m, unit, lo, hi, target))


def warm_up(run, prod, rng, timeout=30):
    """Send small articles, one every 50 ms, until ten of their digests have
    come back on the stream, so that every connection (the subscription
    included: a digest published before it is up is not seen) is up before
    anything is timed."""
    import zmq
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(run.ep("digests"))
    got = set()
    deadline = time.monotonic() + timeout
    i = 0
    while len(got) < 10 and time.monotonic() < deadline:
        w = gen_article(rng, 200, 100000 + i)
        w["id"] = "warm-%d-%d" % (prod.pid, i)
        i += 1
        prod.stdin.write((json.dumps(w) + "\n").encode())
        prod.stdin.flush()
        until = time.monotonic() + 0.05
        while time.monotonic() < until:
            if sub.poll(10):
                topic, payload = sub.recv_multipart()
                if b"warm-%d-" % prod.pid in payload:
                    got.add(payload)
    sub.close(0)
    ctx.term()
    if len(got) < 10:
        raise RuntimeError("warm-up digests did not arrive")


def corpus_bytes(arts, copies):
    return "".join(json.dumps(dict(a, id="%s-%d" % (a["id"], c))) + "\n"
                   for c in range(copies) for a in arts).encode()


def one_run(args, data, workers, tmp, rng):
    """Seconds for the pipeline to turn `data` (JSON Lines) into stored
    digests, once every connection is up: the producer reads it from a pipe
    after a warm-up, and the clock runs from the first byte written to its
    exit (every article acknowledged, so every digest stored). Also returns
    each program's peak memory (kB) and the CPU seconds each spent while the
    clock ran (not on starting, the warm-up or shutting down: the sink's
    last WAL checkpoint alone would add a few microseconds an article)."""
    sys.path.insert(0, args.py_gen)
    wd = tempfile.mkdtemp(dir=tmp)
    run = Run(args.bin, wd, workers)
    try:
        prod = run.producer(["-"], stdin=subprocess.PIPE)
        warm_up(run, prod, rng)
        for name in run.procs:
            run.note_peak(name)
        cpu0 = dict(run.cpu)
        t0 = time.monotonic()
        prod.stdin.write(data)
        prod.stdin.close()
        rc = run.reap("producer", 600)
        dt = time.monotonic() - t0
        for name in run.procs:
            if name != "producer":
                run.note_peak(name)
        cpu1 = dict(run.cpu)
        if rc != 0:
            raise RuntimeError("producer exited %d; logs in %s" % (rc, wd))
    finally:
        run.stop()
    run.cpu = {k: cpu1[k] - cpu0.get(k, 0) for k in cpu1}
    peak, cpu = {}, {}
    for k, v in run.usage.items():
        key = k.split("-")[0]
        peak[key] = max(peak.get(key, 0), v)
    for k, v in run.cpu.items():
        key = k.split("-")[0]
        cpu[key] = cpu.get(key, 0) + v
    return dt, peak, cpu


def scaling(args, arts, corpus_path, tmp):
    """The machine's speed drifts over minutes (a shared host), so each
    round measures the in-process step, then the pipeline with 1 worker,
    then with 2, then the step again, and the ratios are taken within the
    round; their medians over --runs rounds are reported."""
    data = corpus_bytes(arts, args.copies)
    n = len(arts) * args.copies
    rng = random.Random(3)
    out = {"step": [], "r1": [], "r2": [], "sc": [], "e1": [], "e2": [], "ov": []}
    peak1, peak2, cpu2 = {}, {}, {}
    for _ in range(args.runs):
        before = nlp_step_rate(args, corpus_path, arts, tmp)
        t1, pk1, _ = one_run(args, data, 1, tmp, rng)
        t2, pk2, c2 = one_run(args, data, 2, tmp, rng)
        after = nlp_step_rate(args, corpus_path, arts, tmp)
        step = (before + after) / 2
        r1, r2 = n / t1, n / t2
        out["step"].append(step)
        out["r1"].append(r1)
        out["r2"].append(r2)
        out["sc"].append(r2 / r1)
        out["e1"].append(r1 / step)
        out["e2"].append(r2 / (2 * step))
        out["ov"].append((t1 / n - 1 / step) * 1e6)
        for src, dst in ((pk1, peak1), (pk2, peak2)):
            for k, v in src.items():
                dst[k] = max(dst.get(k, 0), v)
        for k, v in c2.items():
            cpu2.setdefault(k, []).append(v)
    peak2["cpu"] = {k: statistics.median(v) for k, v in cpu2.items()}
    return out, peak1, peak2


def nlp_step_rate(args, corpus_path, arts, tmp):
    """In-process worker step as the workers run it, articles/s, on the same
    articles (nlp-bench --step-only)."""
    if corpus_path and not args.quick:
        cmd = [os.path.join(args.bin, "nlp-bench"), "--step-only", "--rounds", "3", "--data",
               corpus_path]
    else:
        path = os.path.join(tmp, "nlp.jsonl")
        write_jsonl(path, arts)
        cmd = [os.path.join(args.bin, "nlp-bench"), "--step-only", "--rounds", "3", "--data",
               path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("worker step as run") and i + 1 < len(lines) and "articles/s" in lines[i + 1]:
            return float(lines[i + 1].split()[0])
    raise RuntimeError("nlp-bench printed no worker-step rate:\n" + out)


def latency(args, rate, tmp):
    """p50 and p99 (ms) of article-in to digest-published, paced at rate."""
    sys.path.insert(0, args.py_gen)
    import zmq  # Debian's python3-zmq
    import digest_pb2
    rng = random.Random(11)
    n = 40 if args.quick else 600
    arts = [gen_article(rng, 1000, i) for i in range(n)]
    wd = tempfile.mkdtemp(dir=tmp)
    run = Run(args.bin, wd, 2)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(run.ep("digests"))
    sent, got = {}, {}
    done = threading.Event()

    def receive():
        while len(got) < n + 10 and not done.is_set():
            if sub.poll(200):
                topic, payload = sub.recv_multipart()
                d = digest_pb2.Digest()
                d.ParseFromString(payload)
                got[d.article_id] = time.monotonic()

    try:
        th = threading.Thread(target=receive)
        th.start()
        prod = run.producer(["-"], stdin=subprocess.PIPE)
        # Warm up: until a few articles have made the whole trip, the
        # workers and the subscriber may still be connecting.
        for i in range(10):
            w = gen_article(rng, 200, 100000 + i)
            w["id"] = "warm-%d" % i
            sent[w["id"]] = time.monotonic()
            prod.stdin.write((json.dumps(w) + "\n").encode())
            prod.stdin.flush()
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        while any("warm-%d" % i not in got for i in range(10)) and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(10):
            sent.pop("warm-%d" % i, None)
        interval = 1.0 / rate
        t0 = time.monotonic()
        for i, a in enumerate(arts):
            wait = t0 + i * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            line = (json.dumps(a) + "\n").encode()
            sent[a["id"]] = time.monotonic()
            prod.stdin.write(line)
            prod.stdin.flush()
        prod.stdin.close()
        run.reap("producer", 300)
        deadline = time.monotonic() + 30
        while len(got) < n + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        done.set()
        th.join()
    finally:
        run.stop()
        sub.close(0)
        ctx.term()
    lat = sorted((got[k] - sent[k]) * 1000 for k in sent if k in got)
    if len(lat) < n:
        raise RuntimeError("latency run: %d of %d digests arrived; logs in %s" % (len(lat), n, wd))
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    return p(0.50), p(0.99), n


def memory_stream(args, tmp):
    """RSS of producer and sink at start, middle and end of a long stream."""
    n = 5000 if args.quick else 100000
    rng = random.Random(5)
    path = os.path.join(tmp, "many.jsonl")
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps(gen_article(rng, 40, i)) + "\n")
    wd = tempfile.mkdtemp(dir=tmp)
    run = Run(args.bin, wd, 2)
    samples = []  # (seconds, producer kB, sink kB)
    try:
        time.sleep(0.3)
        prod = run.producer([path])
        t0 = time.monotonic()
        while prod.poll() is None:
            samples.append((time.monotonic() - t0, rss_kb(prod.pid),
                            rss_kb(run.procs["sink"].pid)))
            time.sleep(0.05)
        rc = prod.returncode
        run.usage["producer"] = 0
        if rc != 0:
            raise RuntimeError("memory run: producer exited %d; logs in %s" % (rc, wd))
        dt = time.monotonic() - t0
    finally:
        run.stop()
    samples = [s for s in samples if s[1] and s[2]]
    pick = lambda frac: samples[min(len(samples) - 1, int(frac * (len(samples) - 1)))]
    return n, dt, [pick(0.1), pick(0.5), pick(1.0)], run.usage.get("sink", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="build-release/bin", help="folder of the programs")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "shared"))
    ap.add_argument("--py-gen", default="", help="folder of digest_pb2.py (protoc output)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median shown)")
    ap.add_argument("--copies", type=int, default=4, help="copies of the corpus per run")
    ap.add_argument("--quick", action="store_true", help="a few seconds, for CI")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.copies = 1, 1
    if not args.py_gen:
        args.py_gen = os.path.join(os.path.dirname(os.path.abspath(args.bin)), "python")
    tmp = tempfile.mkdtemp(prefix="nd-pipeline-bench.")
    arts, source, corpus_path = load_corpus(args.shared, args.quick)
    n = len(arts) * args.copies
    print("pipeline-bench: %s, %d articles a run, %d run(s) each, %d cores" %
          (source, n, args.runs, os.cpu_count()))

    sc, peak1, peak2 = scaling(args, arts, corpus_path, tmp)
    print("\n%-52s %10s %-12s %s" % ("figure", "median", "unit", "slowest - fastest / target"))
    row("in-process worker step as run (nlp-bench, one core)", sc["step"], "articles/s")
    row("pipeline, 1 worker", sc["r1"], "articles/s")
    row("pipeline, 2 workers", sc["r2"], "articles/s")
    m = statistics.median(sc["sc"])
    row2("scaling 1 -> 2 workers", sc["sc"], "x",
         "target >= 1.7: " + ("PASS" if m >= 1.7 else "MISS"))
    row2("1 worker / in-process step", sc["e1"], "")
    m = statistics.median(sc["e2"])
    row2("2 workers / two in-process steps", sc["e2"], "",
         "target >= 0.85: " + ("PASS" if m >= 0.85 else "MISS"))
    m = statistics.median(sc["ov"])
    row("distribution overhead per article (1 worker)", sc["ov"], "us",
        "target < 100: " + ("PASS" if m < 100 else "MISS"))

    # The saturated rate of 1,000-word articles with 2 workers, then the
    # latency at half of it. The host's speed drifts over minutes, so each
    # round measures the saturated rate just before its latency run, or
    # "half" could be most of what the host can do by then. One latency run
    # is 600 articles, so its p99 is the sixth slowest: a single stall moves
    # it; the medians over --runs rounds are shown.
    rng = random.Random(13)
    long_arts = [gen_article(rng, 1000, i) for i in range(60 if args.quick else 300)]
    sats, halves, lats = [], [], []
    for _ in range(args.runs):
        dt, _, _ = one_run(args, corpus_bytes(long_arts, args.copies), 2, tmp, rng)
        sats.append(len(long_arts) * args.copies / dt)
        halves.append(sats[-1] / 2)
        lats.append(latency(args, halves[-1], tmp))
    # Where the CPU goes with two workers: per article, by program.
    per = {k: v / n * 1e6 for k, v in peak2["cpu"].items()}
    total = sum(per.values())
    print("%-52s %10s %-12s" % ("CPU per article, 2 workers: producer, workers, sink",
                                "%.0f, %.0f, %.0f" % (per.get("producer", 0),
                                                      per.get("worker", 0), per.get("sink", 0)),
                                "us"))
    print("%-52s %10.0f %-12s" % ("  so on %d cores at most" % os.cpu_count(),
                                   os.cpu_count() / total * 1e6 if total else 0, "articles/s"))
    nl = lats[0][2]
    row("pipeline, 2 workers, 1,000-word articles", sats, "articles/s")
    row("latency p50, 1,000-word articles at half of that", [x[0] for x in lats], "ms")
    p99s = [x[1] for x in lats]
    row("latency p99 (%d articles a run)" % nl, p99s, "ms",
        "target < 20: " + ("PASS" if statistics.median(p99s) < 20 else "MISS"))

    for prog in ("producer", "worker", "sink"):
        kb = max(peak1.get(prog, 0), peak2.get(prog, 0))
        print("%-52s %10.1f %-12s %s" % ("peak resident memory, %s" % prog, kb / 1024, "MB",
                                          "target < 64: " + ("PASS" if kb < 65536 else "MISS")))
    nm, dt, s, _ = memory_stream(args, tmp)
    print("%-52s %10.0f %-12s" % ("stream of %d small articles" % nm, nm / dt, "articles/s"))
    for label, (t, pk, sk) in zip(("10%", "50%", "end"), s):
        print("%-52s %10s %-12s" % ("  resident memory at %s (%.1f s): producer, sink" %
                                     (label, t), "%.1f, %.1f" % (pk / 1024, sk / 1024), "MB"))
    grow = max(s[2][1] - s[1][1], s[2][2] - s[1][2]) / 1024
    print("%-52s %10.1f %-12s %s" % ("  growth from the middle to the end", grow, "MB",
                                      "target: flat (< 8 MB): " + ("PASS" if grow < 8 else "MISS")))


if __name__ == "__main__":
    main()
