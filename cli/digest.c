/*
 * digest: the one-command local run. Starts a sink, N workers and a
 * producer as separate processes on loopback, on free ports, feeds the
 * producer the given files (or stdin), prints every digest, and exits when
 * all are done, with the producer's status: 0 if every article gave an ok
 * digest, 1 if any failed, 2 for bad usage.
 *
 * The sink writes the digests to our stdout (JSON Lines, or a readable view
 * with --format text); the producer shows progress on a terminal. Each
 * digest is written before its article is acknowledged, so once the
 * producer exits every digest is out, and the sink and workers are stopped
 * with SIGTERM. If a sink or worker dies on its own, the run stops with a
 * message rather than waiting forever.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"

#define MAX_WORKERS 256

struct settings {
	long workers, chunk_bytes, key_points;
	const char *format, *store, *bin_dir, *log_level;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* Whether port is free on 127.0.0.1 now (0 asks the kernel for one); the
 * port, or -1. */
static int try_port(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* A TCP port on 127.0.0.1 that is free now, taken from below the kernel's
 * range for outgoing connections (32768 and up): a port from inside it
 * can be taken by some process's next connect() in the moment between
 * this check and the program binding it. */
static int free_port(void)
{
	static unsigned seed;
	if (!seed)
		seed = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL);
	for (int i = 0; i < 200; i++) {
		seed = seed * 1103515245u + 12345u;
		int port = try_port(20000 + (int)((seed >> 8) % 12000));
		if (port > 0)
			return port;
	}
	return try_port(0);
}

static pid_t spawn(char *const argv[], int stdin_null)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (stdin_null) {
			int fd = open("/dev/null", 0);
			if (fd >= 0)
				dup2(fd, 0);
		}
		execv(argv[0], argv);
		fprintf(stderr, "digest: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static void bin_path(char *out, size_t cap, const char *dir, const char *prog)
{
	snprintf(out, cap, "%s/%s", dir, prog);
}

int main(int argc, char **argv)
{
	struct settings s;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char defworkers[32];
	snprintf(defworkers, sizeof defworkers, "%ld", ncpu > 0 ? ncpu : 1);
	const struct conf_opt opts[] = {
	    {"workers", "DIGEST_WORKERS", CONF_INT, defworkers,
	     "worker processes to start (default: the number of cores)", &s.workers, 1, MAX_WORKERS,
	     NULL},
	    {"format", "DIGEST_FORMAT", CONF_STR, "json",
	     "JSON Lines, or a readable view for a person", &s.format, 0, 0, "json|text"},
	    {"chunk-bytes", "DIGEST_CHUNK_BYTES", CONF_INT, "8192",
	     "largest chunk; chunks end at sentence boundaries", &s.chunk_bytes, 16, 1 << 24, NULL},
	    {"key-points", "DIGEST_KEY_POINTS", CONF_INT, "0",
	     "key points per digest (0: chosen by the article's length)", &s.key_points, 0, 100,
	     NULL},
	    {"store", "DIGEST_STORE", CONF_STR, "",
	     "keep the digests in this SQLite file (default: a temporary one, removed)", &s.store,
	     0, 0, NULL},
	    {"bin-dir", "DIGEST_BIN_DIR", CONF_STR, "",
	     "folder of the producer, worker and sink programs (default: this program's)",
	     &s.bin_dir, 0, 0, NULL},
	    {"log-level", "DIGEST_LOG_LEVEL", CONF_STR, "warn",
	     "least severe level the programs log", &s.log_level, 0, 0, "debug|info|warn|error"},
	};
	const struct conf_spec spec = {
	    "digest",
	    "[options] FILE|FOLDER|-...",
	    "Digest articles on this machine: starts a sink, workers and a producer on\n"
	    "loopback and prints one digest per article. A plain-text file is one article\n"
	    "(first line the title); .jsonl files and - (stdin) hold JSON objects\n"
	    "{\"id\"?, \"title\"?, \"source\"?, \"text\"}, one a line.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    "exit status: 0 all digests ok, 1 some failed (listed on stderr), 2 bad usage"};
	struct buf err = BUF_INIT;
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (first >= argc) {
		fprintf(stderr, "digest: no input: give files, folders, or - for JSON Lines on "
		                "stdin (see digest --help)\n");
		return 2;
	}
	int uses_stdin = 0;
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") == 0) {
			uses_stdin = 1;
		} else if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "digest: cannot read %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
	}

	char bindir[PATH_MAX];
	if (*s.bin_dir) {
		snprintf(bindir, sizeof bindir, "%s", s.bin_dir);
	} else {
		ssize_t n = readlink("/proc/self/exe", bindir, sizeof bindir - 1);
		if (n <= 0) {
			fprintf(stderr, "digest: cannot find my own folder; use --bin-dir\n");
			return 2;
		}
		bindir[n] = 0;
		char *slash = strrchr(bindir, '/');
		if (slash)
			*slash = 0;
	}
	char prog_sink[PATH_MAX + 16], prog_worker[PATH_MAX + 16], prog_producer[PATH_MAX + 16];
	bin_path(prog_sink, sizeof prog_sink, bindir, "sink");
	bin_path(prog_worker, sizeof prog_worker, bindir, "worker");
	bin_path(prog_producer, sizeof prog_producer, bindir, "producer");
	if (access(prog_sink, X_OK) || access(prog_worker, X_OK) || access(prog_producer, X_OK)) {
		fprintf(stderr, "digest: producer, worker and sink must be in %s (see --bin-dir)\n",
		        bindir);
		return 2;
	}

	char tmpdir[] = "/tmp/digest.XXXXXX", store[PATH_MAX + 32];
	int own_store = !*s.store;
	if (own_store) {
		if (!mkdtemp(tmpdir)) {
			fprintf(stderr, "digest: cannot create a temporary folder: %s\n",
			        strerror(errno));
			return 1;
		}
		snprintf(store, sizeof store, "%s/digests.db", tmpdir);
	} else {
		snprintf(store, sizeof store, "%s", s.store);
	}

	int pc = free_port(), pr = free_port(), pa = free_port(), pd = free_port();
	if (pc < 0 || pr < 0 || pa < 0 || pd < 0) {
		fprintf(stderr, "digest: cannot find free ports on 127.0.0.1\n");
		return 1;
	}
	char e_chunks_b[64], e_chunks_c[64], e_res_b[64], e_res_c[64], e_acks_b[64], e_acks_c[64],
	    e_dig[64], kp[32], cb[32];
	snprintf(e_chunks_b, 64, "tcp://127.0.0.1:%d", pc);
	snprintf(e_chunks_c, 64, "tcp://127.0.0.1:%d", pc);
	snprintf(e_res_b, 64, "tcp://127.0.0.1:%d", pr);
	snprintf(e_res_c, 64, "tcp://127.0.0.1:%d", pr);
	snprintf(e_acks_b, 64, "tcp://127.0.0.1:%d", pa);
	snprintf(e_acks_c, 64, "tcp://127.0.0.1:%d", pa);
	snprintf(e_dig, 64, "tcp://127.0.0.1:%d", pd);
	snprintf(kp, sizeof kp, "%ld", s.key_points);
	snprintf(cb, sizeof cb, "%ld", s.chunk_bytes);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	char *sink_argv[] = {prog_sink,
	                     "--results-bind",
	                     e_res_b,
	                     "--digests-bind",
	                     e_dig,
	                     "--acks-connect",
	                     e_acks_c,
	                     "--store",
	                     store,
	                     "--out",
	                     "-",
	                     "--http",
	                     "",
	                     "--out-format",
	                     (char *)s.format,
	                     "--key-points",
	                     kp,
	                     "--log-level",
	                     (char *)s.log_level,
	                     NULL};
	char *worker_argv[] = {prog_worker,
	                       "--chunks-connect",
	                       e_chunks_c,
	                       "--results-connect",
	                       e_res_c,
	                       "--key-points",
	                       kp,
	                       "--log-level",
	                       (char *)s.log_level,
	                       NULL};
	/* The producer is stopped only when the run cannot go on (a sink
	 * or every worker gone, or the user interrupted): no drain. */
	char *prod_head[] = {prog_producer,   "--drain-timeout=0",
	                     "--chunks-bind", e_chunks_b,
	                     "--acks-bind",   e_acks_b,
	                     "--chunk-bytes", cb,
	                     "--log-level",   (char *)s.log_level,
	                     "--progress",    "auto"};
	int nprod = (int)(sizeof prod_head / sizeof prod_head[0]);
	char **prod_argv = calloc((size_t)(argc - first + nprod + 1), sizeof *prod_argv);
	if (!prod_argv)
		return 1;
	memcpy(prod_argv, prod_head, sizeof prod_head);
	for (int i = first; i < argc; i++)
		prod_argv[nprod + i - first] = argv[i];

	pid_t sink = spawn(sink_argv, 1), workers[MAX_WORKERS];
	for (long i = 0; i < s.workers; i++)
		workers[i] = spawn(worker_argv, 1);
	pid_t producer = spawn(prod_argv, !uses_stdin);

	int status = 0, exit_code = 1, producer_done = 0, trouble = 0;
	while (!producer_done) {
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR && interrupted) {
				fprintf(stderr, "\ndigest: interrupted; stopping\n");
				kill(producer, SIGTERM);
				trouble = 1;
				continue;
			}
			if (errno == EINTR)
				continue;
			break;
		}
		if (pid == producer) {
			producer_done = 1;
			exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
			continue;
		}
		const char *what = pid == sink ? "the sink" : "a worker";
		if (WIFSIGNALED(status))
			fprintf(stderr, "digest: %s (pid %d) was killed by signal %d\n", what,
			        (int)pid, WTERMSIG(status));
		else
			fprintf(stderr, "digest: %s (pid %d) exited with status %d\n", what,
			        (int)pid, WEXITSTATUS(status));
		if (pid == sink) {
			sink = 0;
			trouble = 1;
			kill(producer, SIGTERM);
		} else {
			for (long i = 0; i < s.workers; i++)
				if (workers[i] == pid)
					workers[i] = 0;
			int alive = 0;
			for (long i = 0; i < s.workers; i++)
				alive += workers[i] != 0;
			if (!alive) {
				fprintf(stderr, "digest: no worker left; stopping\n");
				trouble = 1;
				kill(producer, SIGTERM);
			}
		}
	}
	for (long i = 0; i < s.workers; i++)
		if (workers[i])
			kill(workers[i], SIGTERM);
	if (sink)
		kill(sink, SIGTERM);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	if (own_store) {
		char path[PATH_MAX + 64];
		const char *suffixes[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s%s", store, suffixes[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
	free(prod_argv);
	buf_free(&err);
	if (trouble && exit_code == 0)
		exit_code = 1;
	return exit_code;
}
