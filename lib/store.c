/* store: see store.h. Statements are prepared once and reused. */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

struct store {
	sqlite3 *db;
	sqlite3_stmt *put, *has, *count, *get, *page, *begin, *commit, *rollback;
};

/* 16 KiB pages: a digest row (its JSON and its protobuf) is several KiB,
 * and SQLite writes the WAL a page per system call, so the default 4 KiB
 * pages cost about five writes per digest and 16 KiB pages under two. The
 * page size must be set before WAL mode and only takes on a new file; an
 * existing store keeps its own. */
static const char schema_sql[] =
    "PRAGMA page_size=16384;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS digests ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " article_id TEXT NOT NULL UNIQUE,"
    " status TEXT NOT NULL,"
    " created_at_us INTEGER NOT NULL,"
    " json TEXT NOT NULL,"
    " proto BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT OR IGNORE INTO meta VALUES ('store_version', '1');";

/* The WAL is copied into the database (a checkpoint) when it reaches about
 * STORE_CHECKPOINT_BYTES. The checkpoint runs inside the commit that crosses
 * the mark, on the sink's loop: SQLite's default, 1000 pages, is 16 MiB with
 * 16 KiB pages, and copying that stalled every delivery for about 20 ms
 * (the p99 latency of the pipeline benchmark); 2 MiB stalls it for a few. */
static void set_checkpoint(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long page = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		page = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (page > 0)
		sqlite3_wal_autocheckpoint(db, (int)(STORE_CHECKPOINT_BYTES / page));
}

struct store *store_open(const char *path, struct buf *err)
{
	struct store *s = calloc(1, sizeof *s);
	if (!s) {
		buf_printf(err, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		buf_printf(err, "cannot open store %s: %s", path,
		           s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	char *msg = NULL;
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
		buf_printf(err, "cannot initialise store %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	set_checkpoint(s->db);
	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT INTO digests (article_id, status, created_at_us, json, proto)"
	        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(article_id) DO NOTHING",
	        -1, &s->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT status FROM digests WHERE article_id = ?1", -1,
	                       &s->has, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT count(*) FROM digests", -1, &s->count, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT json FROM digests WHERE article_id = ?1", -1, &s->get,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "SELECT seq, json FROM digests WHERE seq > ?1 ORDER BY seq LIMIT ?2",
	                       -1, &s->page, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "BEGIN", -1, &s->begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "COMMIT", -1, &s->commit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "ROLLBACK", -1, &s->rollback, NULL) != SQLITE_OK) {
		buf_printf(err, "cannot prepare store statements on %s: %s", path,
		           sqlite3_errmsg(s->db));
		goto fail;
	}
	return s;
fail:
	store_close(s);
	return NULL;
}

int store_put(struct store *s, const char *article_id, int status_ok, uint64_t created_at_us,
              const char *json, size_t json_len, const void *pb, size_t pb_len, int *inserted,
              struct buf *err)
{
	sqlite3_stmt *st = s->put;
	sqlite3_bind_text(st, 1, article_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status_ok ? "ok" : "failed", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)created_at_us);
	sqlite3_bind_text(st, 4, json, (int)json_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, pb, (int)pb_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		buf_printf(err, "cannot store digest %s: %s", article_id, sqlite3_errmsg(s->db));
		return -EIO;
	}
	*inserted = sqlite3_changes(s->db) > 0;
	return 0;
}

static int step_once(struct store *s, sqlite3_stmt *st, const char *what, struct buf *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if (err)
			buf_printf(err, "cannot %s a store transaction: %s", what,
			           sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

int store_begin(struct store *s, struct buf *err)
{
	return step_once(s, s->begin, "begin", err);
}

int store_commit(struct store *s, struct buf *err)
{
	return step_once(s, s->commit, "commit", err);
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		step_once(s, s->rollback, "roll back", NULL);
}

int store_has(struct store *s, const char *article_id, int *status_ok)
{
	sqlite3_stmt *st = s->has;
	sqlite3_bind_text(st, 1, article_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW) {
		found = 1;
		const unsigned char *v = sqlite3_column_text(st, 0);
		*status_ok = v && v[0] == 'o';
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -EIO;
}

int store_get_json(struct store *s, const char *article_id, struct buf *out)
{
	sqlite3_stmt *st = s->get;
	sqlite3_bind_text(st, 1, article_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW) {
		found = 1;
		buf_reset(out);
		if (buf_append(out, sqlite3_column_text(st, 0),
		               (size_t)sqlite3_column_bytes(st, 0)))
			found = -ENOMEM;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -EIO;
}

int store_page(struct store *s, long long after, int limit, store_row_cb cb, void *arg)
{
	sqlite3_stmt *st = s->page;
	int n = 0, rc;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		   (size_t)sqlite3_column_bytes(st, 1), arg);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

long long store_count(struct store *s)
{
	long long n = -EIO;
	if (sqlite3_step(s->count) == SQLITE_ROW)
		n = sqlite3_column_int64(s->count, 0);
	sqlite3_reset(s->count);
	return n;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->put);
	sqlite3_finalize(s->has);
	sqlite3_finalize(s->count);
	sqlite3_finalize(s->get);
	sqlite3_finalize(s->page);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_close(s->db);
	free(s);
}
