/*
 * conf: see conf.h. Parsing is by hand rather than getopt_long so that
 * "--flag=value" and "--flag value" both work, unknown flags get a message
 * naming them, and positionals may come anywhere.
 */
#include "conf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

/* Store value v into o; `from` names where it came from, for messages. */
static int conf_set(const struct conf_opt *o, const char *v, const char *from, struct buf *err)
{
	switch (o->type) {
	case CONF_STR:
		if (o->choices && !in_choices(o->choices, v)) {
			buf_printf(err, "%s: \"%s\" is not one of %s", from, v, o->choices);
			return -EINVAL;
		}
		*(const char **)o->dst = v;
		return 0;
	case CONF_INT: {
		char *end;
		errno = 0;
		long x = strtol(v, &end, 10);
		if (errno || end == v || *end) {
			buf_printf(err, "%s: \"%s\" is not a whole number", from, v);
			return -EINVAL;
		}
		if (x < o->min || x > o->max) {
			buf_printf(err, "%s: %ld is out of range [%ld, %ld]", from, x, o->min,
			           o->max);
			return -EINVAL;
		}
		*(long *)o->dst = x;
		return 0;
	}
	case CONF_BOOL:
		if (parse_bool(v, (int *)o->dst)) {
			buf_printf(err, "%s: \"%s\" is not a boolean (use 1/0, true/false)", from,
			           v);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static const char *type_hint(const struct conf_opt *o)
{
	switch (o->type) {
	case CONF_INT:
		return "N";
	case CONF_BOOL:
		return "";
	default:
		return o->choices ? o->choices : "VALUE";
	}
}

void conf_print_help(const struct conf_spec *spec)
{
	printf("usage: %s %s\n\n%s\n\nsettings (flag, environment variable, default):\n",
	       spec->prog, spec->usage, spec->summary);
	for (size_t i = 0; i < spec->nopts; i++) {
		const struct conf_opt *o = &spec->opts[i];
		const char *hint = type_hint(o);
		printf("  --%s%s%s\n      %s\n      env %s, default %s\n", o->name,
		       *hint ? " " : "", hint, o->help, o->env,
		       o->def && *o->def ? o->def : "(none)");
	}
	printf("  -h, --help\n      print this help and exit\n"
	       "  --version\n      print the version and exit\n");
	if (spec->epilog)
		printf("\n%s\n", spec->epilog);
}

static void print_markdown(const struct conf_spec *spec)
{
	for (size_t i = 0; i < spec->nopts; i++) {
		const struct conf_opt *o = &spec->opts[i];
		printf("| `%s` | `--%s` | `%s` | `%s` | %s |\n", spec->prog, o->name, o->env,
		       o->def && *o->def ? o->def : "", o->help);
	}
}

static const struct conf_opt *find_opt(const struct conf_spec *spec, const char *name, size_t n)
{
	for (size_t i = 0; i < spec->nopts; i++)
		if (strlen(spec->opts[i].name) == n && strncmp(spec->opts[i].name, name, n) == 0)
			return &spec->opts[i];
	return NULL;
}

int conf_parse(const struct conf_spec *spec, int argc, char **argv, int *first_arg, struct buf *err)
{
	char from[256];
	/* Defaults, then the environment. */
	for (size_t i = 0; i < spec->nopts; i++) {
		const struct conf_opt *o = &spec->opts[i];
		if (o->def && conf_set(o, o->def, o->name, err))
			return -EINVAL;
		if (!o->def && o->type == CONF_STR)
			*(const char **)o->dst = NULL;
		const char *v = getenv(o->env);
		if (v) {
			snprintf(from, sizeof from, "environment variable %s", o->env);
			if (conf_set(o, v, from, err))
				return -EINVAL;
		}
	}

	/* Flags; positionals are collected in order and moved to the end. */
	char **pos = calloc((size_t)argc + 1, sizeof *pos);
	if (!pos)
		return -ENOMEM;
	int npos = 0, rc = CONF_OK, only_pos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			conf_print_help(spec);
			rc = CONF_EXIT;
			goto out;
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", spec->prog, ND_VERSION);
			rc = CONF_EXIT;
			goto out;
		}
		if (strcmp(a, "--help-markdown") == 0) {
			print_markdown(spec);
			rc = CONF_EXIT;
			goto out;
		}
		if (a[1] != '-') {
			buf_printf(err, "unknown option %s (see %s --help)", a, spec->prog);
			rc = -EINVAL;
			goto out;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const struct conf_opt *o = find_opt(spec, name, n);
		if (!o) {
			buf_printf(err, "unknown option --%.*s (see %s --help)", (int)n, name,
			           spec->prog);
			rc = -EINVAL;
			goto out;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v && o->type == CONF_BOOL)
			v = "1";
		if (!v) {
			if (i + 1 >= argc) {
				buf_printf(err, "option --%s needs a value", o->name);
				rc = -EINVAL;
				goto out;
			}
			v = argv[++i];
		}
		snprintf(from, sizeof from, "option --%s", o->name);
		if (conf_set(o, v, from, err)) {
			rc = -EINVAL;
			goto out;
		}
	}
	/* Put positionals last, in order. */
	int w = argc - npos;
	for (int i = 0; i < npos; i++)
		argv[w + i] = pos[i];
	*first_arg = w;
	/* Options stay before, in any order: only their count matters now. */
out:
	free(pos);
	return rc;
}

int conf_parse_main(const struct conf_spec *spec, int argc, char **argv, int *first_arg)
{
	struct buf err = BUF_INIT;
	int rc = conf_parse(spec, argc, argv, first_arg, &err);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", spec->prog, err.p ? err.p : "out of memory");
	buf_free(&err);
	return rc == CONF_OK ? -1 : rc == CONF_EXIT ? 0 : 2;
}
