/* The unit-test runner behind check.h: runs all cases or the one named. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int check_failed;

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "  FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failed = 1;
}

static const char *path_under(const char *env, const char *fallback, const char *rel)
{
	static char buf[4096];
	const char *dir = getenv(env);
	snprintf(buf, sizeof buf, "%s/%s", dir ? dir : fallback, rel);
	return buf;
}

const char *check_source_path(const char *rel)
{
	return path_under("ND_SOURCE_DIR", ".", rel);
}

const char *check_shared_path(const char *rel)
{
	return path_under("ND_SHARED_DIR", "../shared", rel);
}

int check_run(int argc, char **argv, const struct check_case *cases, size_t n)
{
	int failures = 0, ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], cases[i].title) != 0)
			continue;
		check_failed = 0;
		cases[i].fn();
		ran++;
		printf("%s %s\n", check_failed ? "FAIL" : "ok  ", cases[i].title);
		failures += check_failed;
	}
	if (ran == 0) {
		fprintf(stderr, "no test case named \"%s\"\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	return failures ? 1 : 0;
}

long check_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}
