#!/usr/bin/env python3
"""Print the digests a newsdigest sink publishes, as they arrive.

A consumer written with other people's libraries only: pyzmq for the PUB
stream and Google's protobuf runtime for the messages (Debian: python3-zmq,
python3-protobuf). The message classes come from the project's schema:

    protoc --python_out=. -I ../../proto ../../proto/digest.proto
    python3 subscribe.py --endpoint tcp://localhost:5560

Each message is two frames: the topic ("digest.ok" or "digest.failed") and
a Digest protobuf. Output is one JSON object per digest on stdout (the same
field names as the sink's HTTP API), or one line per digest with --brief.
"""

import argparse
import json
import sys

import zmq

try:
    import digest_pb2
except ImportError:
    sys.exit("subscribe.py: digest_pb2 not found; generate it with\n"
             "  protoc --python_out=. -I proto proto/digest.proto\n"
             "and put its folder on PYTHONPATH")

TYPES = {v.number: v.name.replace("ENTITY_", "")
         for v in digest_pb2.DESCRIPTOR.enum_types_by_name["EntityType"].values}


def as_json(d):
    """The Digest in the JSON form the sink's API serves."""
    return {
        "article_id": d.article_id, "source": d.source, "title": d.title,
        "status": "ok" if d.status == digest_pb2.STATUS_OK else "failed",
        "error": d.error or None,
        "entities": [{"name": e.name, "type": TYPES.get(e.type, "NONE"), "mentions": e.mentions,
                      "aliases": list(e.aliases), "salience": round(e.salience, 3)}
                     for e in d.entities],
        "key_points": [{"text": k.text, "sentence": k.sentence_index, "score": round(k.score, 3)}
                       for k in d.key_points],
        "keywords": [{"text": k.text, "score": round(k.score, 3)} for k in d.keywords],
        "stats": {"chunks": d.stats.chunks, "sentences": d.stats.sentences,
                  "words": d.stats.words, "bytes": d.stats.bytes},
        "pipeline": {"version": d.pipeline_version, "model": d.model},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", default="tcp://localhost:5560",
                    help="the sink's --digests-bind endpoint (default %(default)s)")
    ap.add_argument("--topic", default="digest.", help="topic prefix: digest.ok, digest.failed, "
                    "or digest. for both (default)")
    ap.add_argument("--count", type=int, default=0, help="exit after this many digests (0: never)")
    ap.add_argument("--brief", action="store_true", help="one line per digest")
    args = ap.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.SUBSCRIBE, args.topic.encode())
    monitor = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sock.connect(args.endpoint)
    if monitor.poll(10000):
        print("subscribed to %s" % args.endpoint, file=sys.stderr, flush=True)
    else:
        print("still waiting for %s (is the sink running?)" % args.endpoint, file=sys.stderr,
              flush=True)
    sock.disable_monitor()
    monitor.close(0)
    seen = 0
    try:
        while not args.count or seen < args.count:
            topic, payload = sock.recv_multipart()
            d = digest_pb2.Digest()
            d.ParseFromString(payload)
            if args.brief:
                print("%s %s %s: %d entities, %d key points" % (
                    topic.decode(), d.article_id, d.title, len(d.entities), len(d.key_points)))
            else:
                print(json.dumps(as_json(d), ensure_ascii=False))
            sys.stdout.flush()
            seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        sock.close(0)
        ctx.term()


if __name__ == "__main__":
    main()
