/*
 * nd-probe: a health check for containers. GET one http:// URL and exit 0
 * when the answer is 2xx, 1 when it is anything else or no answer came in
 * time, 2 for bad usage. The body of a 2xx answer is copied to stdout (the
 * sink's and the producer's /healthz say what they hold), so `docker
 * inspect` shows it beside the health status.
 *
 * It exists so that the runtime image needs no curl: a blocking client of
 * a hundred lines on plain sockets, one request per run, HTTP/1.0 so the
 * server closes the connection after its answer. One deadline (--timeout)
 * covers resolving, connecting, sending and reading; answers are read up
 * to 64 KiB, which is far above what a health endpoint returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "conf.h"

#define PROBE_MAX_ANSWER 65536

struct url {
	char host[256];
	char port[8];
	const char *path;
};

/* Split http://HOST[:PORT][/PATH]; IPv6 hosts go in brackets. */
static int url_parse(const char *s, struct url *u)
{
	const char *p = s;
	if (strncmp(p, "http://", 7) != 0)
		return -EINVAL;
	p += 7;
	const char *host = p, *host_end;
	if (*p == '[') {
		host = ++p;
		host_end = strchr(p, ']');
		if (!host_end)
			return -EINVAL;
		p = host_end + 1;
	} else {
		p += strcspn(p, ":/");
		host_end = p;
	}
	size_t hn = (size_t)(host_end - host);
	if (hn == 0 || hn >= sizeof u->host)
		return -EINVAL;
	memcpy(u->host, host, hn);
	u->host[hn] = 0;
	strcpy(u->port, "80");
	if (*p == ':') {
		size_t pn = strspn(++p, "0123456789");
		if (pn == 0 || pn >= sizeof u->port || (p[pn] && p[pn] != '/'))
			return -EINVAL;
		memcpy(u->port, p, pn);
		u->port[pn] = 0;
		p += pn;
	}
	if (*p && *p != '/')
		return -EINVAL;
	u->path = *p ? p : "/";
	return 0;
}

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd = {fd, events, 0};
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Connect to one of the host's addresses, non-blocking, by the deadline. */
static int dial(const struct url *u, long long deadline, char *why, size_t cap)
{
	struct addrinfo hints = {0}, *res, *ai;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc) {
		snprintf(why, cap, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = ECONNREFUSED;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			err = errno;
		} else {
			socklen_t len = sizeof err;
			int w = wait_fd(fd, POLLOUT, deadline);
			if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && !err)
				break;
			if (w)
				err = -w;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(why, cap, "cannot connect to %s:%s: %s", u->host, u->port, strerror(err));
	return fd;
}

int main(int argc, char **argv)
{
	long timeout;
	const struct conf_opt opts[] = {
	    {"timeout", "DIGEST_PROBE_TIMEOUT", CONF_INT, "3000",
	     "milliseconds for the whole check (resolve, connect, send, answer)", &timeout, 1,
	     600000, NULL},
	};
	const struct conf_spec spec = {
	    "nd-probe",
	    "[options] http://HOST[:PORT]/PATH",
	    "Health check for containers: GET the URL; exit 0 on a 2xx answer (its body goes\n"
	    "to stdout), 1 on any other answer or none in time, 2 for bad usage. Example:\n"
	    "nd-probe http://localhost:8080/healthz",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (argc - first != 1) {
		fprintf(stderr, "nd-probe: give exactly one URL (see nd-probe --help)\n");
		return 2;
	}
	const char *target = argv[first];
	struct url u;
	if (url_parse(target, &u)) {
		fprintf(stderr, "nd-probe: %s: expected http://HOST[:PORT]/PATH\n", target);
		return 2;
	}
	long long deadline = now_ms() + timeout;
	char why[512];
	int fd = dial(&u, deadline, why, sizeof why);
	if (fd < 0) {
		fprintf(stderr, "nd-probe: %s: %s\n", target, why);
		return 1;
	}
	char req[1024];
	int n =
	    snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nd-probe\r\n\r\n",
	             u.path, u.host);
	if (n < 0 || (size_t)n >= sizeof req) {
		fprintf(stderr, "nd-probe: %s: URL too long (at most %zu bytes)\n", target,
		        sizeof req - 64);
		close(fd);
		return 2;
	}
	static char answer[PROBE_MAX_ANSWER + 1];
	size_t off = 0, len = 0;
	int err = 0;
	while (off < (size_t)n && !err) {
		ssize_t w = send(fd, req + off, (size_t)n - off, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (errno == EAGAIN)
			err = -wait_fd(fd, POLLOUT, deadline);
		else if (errno != EINTR)
			err = errno;
	}
	/* Read until the server closes (HTTP/1.0), the buffer is full or time is up. */
	while (!err && len < PROBE_MAX_ANSWER) {
		ssize_t r = recv(fd, answer + len, PROBE_MAX_ANSWER - len, 0);
		if (r > 0)
			len += (size_t)r;
		else if (r == 0)
			break;
		else if (errno == EAGAIN)
			err = -wait_fd(fd, POLLIN, deadline);
		else if (errno != EINTR)
			err = errno;
	}
	close(fd);
	answer[len] = 0;
	if (err && len == 0) {
		fprintf(stderr, "nd-probe: %s: no answer: %s (--timeout %ld ms)\n", target,
		        strerror(err), timeout);
		return 1;
	}
	int major, minor, status;
	if (sscanf(answer, "HTTP/%d.%d %d", &major, &minor, &status) != 3) {
		fprintf(stderr, "nd-probe: %s: not an HTTP answer\n", target);
		return 1;
	}
	const char *body = strstr(answer, "\r\n\r\n");
	body = body ? body + 4 : "";
	if (status < 200 || status > 299) {
		fprintf(stderr, "nd-probe: %s: HTTP %d %s", target, status, body);
		if (!*body || body[strlen(body) - 1] != '\n')
			fputc('\n', stderr);
		return 1;
	}
	fputs(body, stdout);
	return 0;
}
