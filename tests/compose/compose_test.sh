#!/usr/bin/env bash
# The docker compose deployment, end to end, for real: build the image from
# local base images, start docker/compose.yaml with three workers, post
# articles to the producer's ingest from the host, read every digest back
# from the sink's HTTP API, kill a worker mid-run, scale to five workers, and
# take it all down with its volumes.
#
# Needs root on Debian 12. Installs docker.io, docker-compose and debootstrap
# when missing, starts dockerd (vfs storage) when no daemon answers, and makes
# the two base images with debootstrap from the apt mirror of
# /etc/apt/sources.list.d/debian.sources, so nothing but that mirror is used:
#   newsdigest-base-build:<tag>    compilers, cmake and the -dev packages
#   newsdigest-base-runtime:<tag>  the runtime libraries only
# The tag is a hash of the package list; existing bases are reused, so a
# second run skips debootstrap. Remove them to rebuild:
#   docker rmi newsdigest-base-build:<tag> newsdigest-base-runtime:<tag>
#
# Usage: tests/compose/compose_test.sh        (from anywhere; no cmake/ctest)
# Environment: ND_COMPOSE_TIMEOUT  seconds for the whole run (default 1200)
#              ND_KEEP_LOGS=1      keep the work folder (logs) even on success
#              ND_SHARED_DIR       the shared folder (default ../shared)
# Exit status 0 when every check passed.
set -euo pipefail

if [ -z "${ND_COMPOSE_INNER:-}" ]; then
	# The whole run is bounded; the inner run's trap cleans up on TERM.
	export ND_COMPOSE_INNER=1
	exec timeout -k 60 "${ND_COMPOSE_TIMEOUT:-1200}" bash "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${ND_SHARED_DIR:-$repo/../shared}
project=ndcompose$$
compose_file=$repo/docker/compose.yaml
image=newsdigest:compose-test
work=$(mktemp -d /tmp/nd-compose.XXXXXX)
sink_port=18080
producer_port=18081
stream_port=15560
started_dockerd=""
t_all=$(date +%s)
t_phase=$t_all
phases=()

# Messages go to the run's stderr as it was at the start (fd 3), even from the
# cleanup trap while a redirected command was running.
exec 3>&2
log() { printf 'compose-test: %s\n' "$*" >&3; }
fail() {
	log "FAIL: $*"
	exit 1
}
phase_done() {
	local now
	now=$(date +%s)
	phases+=("$(printf '%-34s %4d s' "$1" $((now - t_phase)))")
	log "phase done: $1 ($((now - t_phase)) s)"
	t_phase=$now
}

# Both docker clients may be installed (a newer one in /usr/local/bin);
# either talks to the daemon.
compose() {
	NEWSDIGEST_IMAGE=$image SINK_PORT=$sink_port PRODUCER_PORT=$producer_port \
		STREAM_PORT=$stream_port WORKERS=3 \
		timeout 300 docker-compose -p "$project" -f "$compose_file" "$@"
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$rc" != 0 ] && command -v docker-compose >/dev/null && docker info >/dev/null 2>&1; then
		compose logs --no-color >"$work/compose.log" 2>&1 || true
		log "logs of the services: $work/compose.log"
	fi
	if command -v docker-compose >/dev/null && docker info >/dev/null 2>&1; then
		compose down -v --remove-orphans >/dev/null 2>&1 || true
		docker rmi "$image" >/dev/null 2>&1 || true
	fi
	if [ -n "$started_dockerd" ]; then
		kill "$started_dockerd" 2>/dev/null || true
		wait "$started_dockerd" 2>/dev/null || true
	fi
	if [ "$rc" = 0 ] && [ -z "${ND_KEEP_LOGS:-}" ]; then
		rm -rf "$work"
	else
		log "work folder kept: $work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

[ "$(id -u)" = 0 ] || fail "run as root (it installs packages and starts dockerd)"
[ -d "$shared/examples" ] || fail "$shared/examples is absent (set ND_SHARED_DIR)"

# ---- packages ---------------------------------------------------------------
need=()
for p in docker.io docker-compose debootstrap curl python3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	timeout 300 env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$work/apt.log" 2>&1
	timeout 600 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${need[@]}" >>"$work/apt.log" 2>&1 ||
		fail "apt-get install failed; see $work/apt.log"
fi
phase_done "packages"

# ---- daemon -----------------------------------------------------------------
if ! timeout 10 docker info >/dev/null 2>&1; then
	log "no docker daemon answers: starting dockerd --storage-driver=vfs (log: $work/dockerd.log)"
	# In its own session: the signal `timeout` sends to this run's process
	# group must not stop the daemon before the cleanup has used it.
	setsid dockerd --storage-driver=vfs >"$work/dockerd.log" 2>&1 &
	started_dockerd=$!
	for _ in $(seq 1 120); do
		timeout 5 docker info >/dev/null 2>&1 && break
		kill -0 "$started_dockerd" 2>/dev/null || fail "dockerd exited; see $work/dockerd.log"
		sleep 0.5
	done
	timeout 10 docker info >/dev/null 2>&1 || fail "dockerd did not answer in 60 s"
fi
phase_done "docker daemon"

# ---- base images --------------------------------------------------------------
build_pkgs="gcc,libc6-dev,make,binutils,cmake,pkg-config,libzmq3-dev,libprotobuf-c-dev"
build_pkgs+=",protobuf-c-compiler,libuv1-dev,libsqlite3-dev,libutf8proc-dev,libcjson-dev"
build_pkgs+=",libhttp-parser-dev,libstemmer-dev"
runtime_pkgs="libzmq5,libprotobuf-c1,libuv1,libsqlite3-0,libutf8proc2,libcjson1,libhttp-parser2.9"
runtime_pkgs+=",libstemmer0d"
mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
	/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / && $2 ~ /\/debian\/?$/ { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list.d/debian.sources"

base_image() { # NAME PACKAGES
	local name=$1 pkgs=$2 tag dir
	# The tag changes with the package list and with this recipe's version.
	tag=bookworm-$(printf 'recipe 2 %s' "$pkgs" | sha1sum | cut -c1-10)
	if docker image inspect "$name:$tag" >/dev/null 2>&1; then
		log "$name:$tag: cached"
	else
		dir=$work/rootfs-${name##*-}
		log "$name:$tag: debootstrap from $mirror (log: $work/debootstrap-${name##*-}.log)"
		timeout 900 debootstrap --variant=minbase --include="$pkgs" bookworm "$dir" "$mirror" \
			>"$work/debootstrap-${name##*-}.log" 2>&1 ||
			fail "debootstrap of $name failed; see $work/debootstrap-${name##*-}.log"
		# What a slim image leaves out: package caches, documentation, manuals.
		rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin \
			"$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
			"$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/var/log/*.log
		tar -C "$dir" -c . | docker import - "$name:$tag" >/dev/null
		rm -rf "$dir"
	fi
	printf '%s:%s' "$name" "$tag"
}
build_base=$(base_image newsdigest-base-build "$build_pkgs")
runtime_base=$(base_image newsdigest-base-runtime "$runtime_pkgs")
phase_done "base images (debootstrap or cache)"

# ---- project image ----------------------------------------------------------
build_args=(--build-arg BUILD_BASE="$build_base" --build-arg RUNTIME_BASE="$runtime_base"
	--build-arg INSTALL_BUILD=true --build-arg INSTALL_RUNTIME=true)
# The build stage is tagged so that it stays as the cache of the next run,
# and the stale ones it replaces are removed (they are large under vfs).
timeout 900 docker build -f "$repo/docker/Dockerfile" --target build -t newsdigest-build:compose-test \
	"${build_args[@]}" "$repo" >"$work/build.log" 2>&1 || fail "docker build failed; see $work/build.log"
timeout 900 docker build -f "$repo/docker/Dockerfile" -t "$image" "${build_args[@]}" \
	"$repo" >>"$work/build.log" 2>&1 || fail "docker build failed; see $work/build.log"
docker image prune -f --filter label=org.newsdigest.stage=build >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$image")
log "image $image: $((size / 1000000)) MB ($size bytes); runtime base $(($(docker image inspect \
	-f '{{.Size}}' "$runtime_base") / 1000000)) MB"
# One container (each costs a full copy of the image under vfs): the user,
# and every program starts.
docker run --rm "$image" sh -c 'id -un; for p in producer worker sink digest nd-probe; do
	"$p" --version || echo "$p does not run"; done' >"$work/image-check.log" 2>&1 ||
	fail "the image does not run: $(cat "$work/image-check.log")"
head -1 "$work/image-check.log" | grep -qx newsdigest || fail "the image does not run as newsdigest"
! grep -q "does not run" "$work/image-check.log" || fail "$(grep "does not run" "$work/image-check.log")"
[ "$(grep -cE '^(producer|worker|sink|digest|nd-probe) [0-9]+\.[0-9]+' "$work/image-check.log")" = 5 ] ||
	fail "not every program reports its version: $(cat "$work/image-check.log")"
phase_done "project image"

# ---- up with three workers --------------------------------------------------
# Three workers through deploy.replicas (WORKERS=3); --scale comes later.
compose up -d --no-build >"$work/up.log" 2>&1 || fail "compose up failed; see $work/up.log"
running_workers() {
	docker ps -q --filter "label=com.docker.compose.project=$project" \
		--filter "label=com.docker.compose.service=worker" --filter status=running | wc -l
}
healthy() { # SERVICE
	local id
	id=$(compose ps -q "$1")
	[ -n "$id" ] && [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ]
}
wait_until() { # SECONDS WHAT COMMAND...
	local secs=$1 what=$2 end
	shift 2
	end=$(($(date +%s) + secs))
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || fail "timed out after ${secs}s waiting for $what"
		sleep 0.5
	done
}
wait_until 60 "the sink to be healthy" healthy sink
wait_until 60 "the producer to be healthy" healthy producer
[ "$(running_workers)" = 3 ] || fail "$(running_workers) workers running, expected 3"
phase_done "compose up (3 replicas, healthy)"

# ---- articles in, digests out ---------------------------------------------------
# The example articles (title on the first line) become JSON with known ids;
# a load of distinct articles follows, so that a worker dies mid-run.
python3 - "$work" "$shared/examples" "$repo/examples/articles" <<'EOF'
import json, os, sys
work, folders = sys.argv[1], sys.argv[2:]
examples = []
for folder in folders:
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                title, _, body = f.read().partition("\n")
            examples.append({"id": "example-" + name[:-4], "title": title.strip(),
                             "source": "compose-test", "text": body})
with open(os.path.join(work, "examples.jsonl"), "w") as f:
    for a in examples:
        f.write(json.dumps(a) + "\n")
# The load: 3000 distinct articles of about 5 KB, in requests of 500 (the
# producer takes a request only when its window has room for all of it).
for part in range(6):
    with open(os.path.join(work, "load-%d.jsonl" % part), "w") as f:
        for i in range(500):
            n = part * 500 + i
            a = dict(examples[n % len(examples)])
            a["id"] = "load-%04d" % n
            a["text"] = "\n\n".join([a["text"]] * 3) + "\n\nThis is copy %d of the story." % n
            f.write(json.dumps(a) + "\n")
with open(os.path.join(work, "restart.jsonl"), "w") as f:
    for n in range(500):
        a = dict(examples[n % len(examples)])
        a["id"] = "restart-%04d" % n
        a["text"] = a["text"] + "\n\nThis is version %d of the story." % n
        f.write(json.dumps(a) + "\n")
EOF
post() { # FILE; retried while the in-flight window is full (429)
	local code tries=0
	while :; do
		code=$(curl -sS -o "$work/post.out" -w '%{http_code}' -X POST \
			-H 'Content-Type: application/x-ndjson' --data-binary "@$1" \
			"http://127.0.0.1:$producer_port/v1/articles") || fail "POST $1: curl failed"
		[ "$code" = 429 ] || break
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || break
		sleep 0.2
	done
	[ "$code" = 202 ] || fail "POST $1: HTTP $code $(cat "$work/post.out")"
}
stored() { # digests the sink holds, from its /healthz
	curl -sS "http://127.0.0.1:$sink_port/healthz" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["digests"])'
}
post "$work/examples.jsonl"
nexamples=$(wc -l <"$work/examples.jsonl")

# Every id of a JSON Lines file that the sink does not yet hold as an ok digest.
missing() { # FILE...
	python3 - "$sink_port" "$@" <<'EOF'
import json, sys, urllib.request
port, files = sys.argv[1], sys.argv[2:]
want = {}
for path in files:
    with open(path) as f:
        for line in f:
            a = json.loads(line)
            want[a["id"]] = a
seen, after = {}, 0
while True:
    with urllib.request.urlopen("http://127.0.0.1:%s/v1/digests?after=%d&limit=1000"
                                % (port, after), timeout=10) as r:
        page = json.load(r)
    if not page["digests"]:
        break
    for d in page["digests"]:
        if d["article_id"] in seen:
            sys.exit("digest %s stored twice" % d["article_id"])
        seen[d["article_id"]] = d
    after = page["next"]
for aid, a in want.items():
    d = seen.get(aid)
    if d is None:
        print(aid)
    elif d["status"] != "ok" or d["title"] != a["title"] or not d["key_points"]:
        sys.exit("digest %s is not ok: %s" % (aid, json.dumps(d)[:300]))
EOF
}
all_in() { # FILE...
	local m
	m=$(missing "$@") || fail "$m"
	[ -z "$m" ]
}
wait_until 60 "the digests of the example articles" all_in "$work/examples.jsonl"
while read -r id; do
	code=$(curl -sS -o "$work/one.json" -w '%{http_code}' "http://127.0.0.1:$sink_port/v1/digests/$id")
	[ "$code" = 200 ] || fail "GET /v1/digests/$id: HTTP $code"
	grep -q '"status":"ok"' "$work/one.json" || fail "digest $id: $(head -c 300 "$work/one.json")"
done < <(python3 -c 'import json, sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' \
	"$work/examples.jsonl")
log "$nexamples example digests read back, each ok"
phase_done "examples posted and read back"

# ---- a worker killed mid-run --------------------------------------------------
nload=3000
(for f in "$work"/load-*.jsonl; do post "$f"; done) >"$work/poster.log" 2>&1 &
poster=$!
some_done() { [ "$(stored)" -ge $((nexamples + 200)) ]; }
wait_until 60 "the first 200 digests of the load" some_done
victim=$(docker ps -q --filter "label=com.docker.compose.project=$project" \
	--filter "label=com.docker.compose.service=worker" --filter status=running | head -1)
docker kill "$victim" >/dev/null
at_kill=$(($(stored) - nexamples))
log "killed worker $victim with $at_kill of $nload load digests stored"
[ "$at_kill" -lt "$nload" ] || fail "the load was done before the kill; make it larger"
wait "$poster" || fail "posting the load failed: $(cat "$work/poster.log")"
all_stored() { [ "$(stored)" -ge $((nexamples + nload)) ]; }
wait_until 180 "all $nload load digests after a worker was killed" all_stored
all_in "$work"/load-*.jsonl "$work/examples.jsonl" || fail "digests missing: $(missing "$work"/load-*.jsonl | head -5)"
[ "$(stored)" = $((nexamples + nload)) ] || fail "sink stores $(stored) digests, expected $((nexamples + nload))"
noticed() { compose logs --no-color producer 2>/dev/null | grep -q "a worker disconnected"; }
wait_until 30 "the producer to notice the dead worker" noticed
resends=$(curl -sS "http://127.0.0.1:$sink_port/metrics" | awk '$1 == "digest_resends_total" { print $2 }')
log "all $nload load digests stored once each, ok; the producer noticed the dead worker; sink resends: $resends"
phase_done "worker killed mid-run, all digests"

# ---- scale while running --------------------------------------------------------
compose up -d --no-build --no-recreate --scale worker=5 >>"$work/up.log" 2>&1 ||
	fail "scaling failed; see $work/up.log"
five() { [ "$(running_workers)" = 5 ]; }
wait_until 60 "five running workers" five
healthy producer || fail "the producer is not healthy after scaling"
healthy sink || fail "the sink is not healthy after scaling"
log "scaled to $(running_workers) running workers (the killed one: $(docker inspect -f \
	'{{.State.Status}}, restarted {{.RestartCount}} times' "$victim" 2>/dev/null || echo gone))"
phase_done "scaled to 5 workers"

# ---- the producer restarted with articles in flight -------------------------------
# With the workers stopped, 500 articles are taken and cannot be finished;
# the producer is restarted with all of them unacknowledged. They are in its
# journal, on its volume: the restarted producer resends them, and the
# workers and the sink reconnect to it by its service name.
compose stop -t 10 worker >>"$work/up.log" 2>&1 || fail "stopping the workers failed"
post "$work/restart.jsonl"
compose restart -t 10 producer >>"$work/up.log" 2>&1 || fail "restarting the producer failed"
wait_until 60 "the restarted producer to be healthy" healthy producer
compose start worker >>"$work/up.log" 2>&1 || fail "starting the workers again failed"
five_again() { [ "$(running_workers)" = 5 ]; }
wait_until 60 "the five workers to run again" five_again
total=$((nexamples + nload + 500))
every_one() { [ "$(stored)" -ge "$total" ]; }
wait_until 120 "the 500 articles posted before the producer restarted" every_one
all_in "$work/restart.jsonl" || fail "digests missing after the restart"
[ "$(stored)" = "$total" ] || fail "sink stores $(stored) digests, expected $total"
plog=$(compose logs --no-color producer 2>/dev/null || true)
grep -q "stopping with 500 articles unacknowledged" <<<"$plog" ||
	fail "the producer did not stop with the 500 articles in flight"
grep -q "journal: resending 500 articles" <<<"$plog" ||
	fail "the restarted producer did not resend the 500 articles from its journal"
log "producer restarted with 500 articles unacknowledged; its journal resent them; all 500 digests in, once each"
for svc in producer sink worker; do
	for id in $(compose ps -q "$svc"); do
		[ "$(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' "$id")" = unless-stopped ] ||
			fail "$svc has no restart policy"
		[ "$(docker inspect -f '{{.Config.User}}' "$id")" = newsdigest ] || fail "$svc runs as root"
	done
done
phase_done "producer restarted, journal resent"

# ---- down with volumes ----------------------------------------------------------
vols=$(docker volume ls -q --filter "label=com.docker.compose.project=$project")
[ "$(printf '%s\n' "$vols" | grep -c .)" = 2 ] || fail "expected 2 volumes, found: $vols"
# SIGTERM first: every program must stop cleanly (status 0) within the grace time.
t_stop=$(date +%s)
compose stop -t 10 >"$work/down.log" 2>&1 || fail "compose stop failed; see $work/down.log"
for id in $(docker ps -aq --filter "label=com.docker.compose.project=$project"); do
	st=$(docker inspect -f '{{.Name}} {{.State.ExitCode}}' "$id")
	[ "${st##* }" = 0 ] || fail "container ${st% *} exited with status ${st##* } on SIGTERM"
done
log "every service stopped on SIGTERM with status 0 in $(($(date +%s) - t_stop)) s"
compose down -v >>"$work/down.log" 2>&1 || fail "compose down failed; see $work/down.log"
left=$(docker volume ls -q --filter "label=com.docker.compose.project=$project")
[ -z "$left" ] || fail "volumes left after down -v: $left"
[ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ] ||
	fail "containers left after down -v"
phase_done "down -v (volumes gone)"

log "image size: $((size / 1000000)) MB"
for p in "${phases[@]}"; do
	log "  $p"
done
log "total: $(($(date +%s) - t_all)) s; all checks passed"
