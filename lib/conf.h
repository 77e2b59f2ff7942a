/*
 * conf: every setting of a program is one row of a table: a long flag, its
 * environment twin, a type, a default and a line of help. conf_parse()
 * applies the defaults, then the environment, then the flags (flags win),
 * validates types and ranges, and stops with a message naming the flag or
 * variable at fault. The same table prints --help and the README's settings
 * table (--help-markdown), so the two cannot drift apart.
 *
 * Every program also accepts --help, -h and --version.
 */
#ifndef ND_CONF_H
#define ND_CONF_H

#include <stddef.h>

#include "buf.h"

enum conf_type {
	CONF_STR,  /* dst: const char ** (points into argv/environ/the default) */
	CONF_INT,  /* dst: long *, within [min, max] */
	CONF_BOOL, /* dst: int *; a flag without value sets it; env "1/0/true/false/yes/no" */
};

struct conf_opt {
	const char *name; /* long flag without the dashes: "chunk-bytes" */
	const char *env;  /* environment twin: "DIGEST_CHUNK_BYTES" */
	enum conf_type type;
	const char *def; /* default, as text; NULL for none */
	const char *help;
	void *dst;
	long min, max;       /* CONF_INT range */
	const char *choices; /* CONF_STR: allowed values separated by '|', or NULL */
};

struct conf_spec {
	const char *prog;    /* "producer" */
	const char *usage;   /* "[options] FILE...|-" */
	const char *summary; /* one paragraph printed under the usage line */
	const struct conf_opt *opts;
	size_t nopts;
	const char *epilog; /* printed after the settings, or NULL */
};

enum {
	CONF_OK = 0,
	CONF_EXIT = 1, /* --help or --version was printed: exit 0 */
};

/* Parse argv. On success *first_arg is the index of the first positional
 * argument (options and positionals may be mixed; positionals are moved to
 * the end of argv, getopt style). Returns CONF_OK, CONF_EXIT, or -EINVAL
 * with a message in err. */
int conf_parse(const struct conf_spec *spec, int argc, char **argv, int *first_arg,
               struct buf *err);

/* For main(): parse, and on --help/--version or an error print what is due
 * ("PROG: message" on stderr). Returns -1 to go on, or the exit status: 0
 * after --help/--version, 2 after a usage error. */
int conf_parse_main(const struct conf_spec *spec, int argc, char **argv, int *first_arg);

/* Settings every long-running program shares, as table rows. */
#define CONF_OPT_MAX_MSG(dst)                                                                      \
	{                                                                                          \
		"max-msg-bytes", "DIGEST_MAX_MSG_BYTES", CONF_INT, "16777216",                     \
		    "largest frame accepted; larger ones are dropped by ZeroMQ", (dst), 1024,      \
		    1L << 30, NULL                                                                 \
	}
#define CONF_OPTS_LOG(level_dst, format_dst)                                                       \
	{"log-level",                                                                              \
	 "DIGEST_LOG_LEVEL",                                                                       \
	 CONF_STR,                                                                                 \
	 "info",                                                                                   \
	 "least severe level logged",                                                              \
	 (level_dst),                                                                              \
	 0,                                                                                        \
	 0,                                                                                        \
	 "debug|info|warn|error"},                                                                 \
	{                                                                                          \
		"log-format", "DIGEST_LOG_FORMAT", CONF_STR, "plain", "log line format",           \
		    (format_dst), 0, 0, "plain|json"                                               \
	}

/* Write --help text for spec to stdout. */
void conf_print_help(const struct conf_spec *spec);

#endif
