/* log: see log.h. Each line is formatted into one buffer and written with a
 * single write(2), so lines from threads and processes sharing a terminal
 * do not interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_component = "nd";
static enum log_level log_min = LOG_INFO;
static int log_json;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *component, enum log_level min, int json)
{
	log_component = component;
	log_min = min;
	log_json = json;
}

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
	return o;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < log_min)
		return;
	char msg[2048], line[4608], ts[40];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

	int len;
	if (log_json) {
		char esc[4200];
		json_escape(esc, sizeof esc, msg);
		len = snprintf(
		    line, sizeof line,
		    "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"msg\":\"%s\"}\n", ts,
		    level_names[level], log_component, esc);
	} else {
		len = snprintf(line, sizeof line, "%s %-5s %s: %s\n", ts, level_names[level],
		               log_component, msg);
	}
	if (len < 0)
		return;
	if ((size_t)len >= sizeof line)
		len = sizeof line - 1;
	ssize_t w = write(STDERR_FILENO, line, (size_t)len);
	(void)w;
}
