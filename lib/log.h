/*
 * log: one line per event on stderr, with a level and the component
 * ("producer", "worker", "sink"), as plain text or JSON (for containers).
 *
 *   2026-11-24T18:20:01.123Z info  sink: stored digest 3f2a... (3 chunks)
 *   {"ts":"2026-11-24T18:20:01.123Z","level":"info","component":"sink","msg":"..."}
 *
 * Process-wide state, set once from main() before any thread starts.
 */
#ifndef ND_LOG_H
#define ND_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* component: a static string. json: nonzero for JSON lines. */
void log_init(const char *component, enum log_level min, int json);
/* "debug", "info", "warn", "error" -> level; -1 if unknown. */
int log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
