/* store: see store.h. Statements are prepared once and reused. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>

/* The checkpointer: a thread with its own connection that copies the WAL
 * into the database when the writer's commits have grown it past
 * STORE_CHECKPOINT_BYTES, so that the copy and its fsyncs run beside the
 * sink's loop instead of inside one of its commits. */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3 *db;
	int wanted, stop;
	int running;        /* a checkpoint of the thread's is under way */
	int writer;         /* the writer is checkpointing: the thread waits */
	unsigned long done; /* checkpoints it ran */
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *put, *has, *count, *get, *page, *begin, *commit, *rollback;
	long page_size;
	struct checkpointer *ck; /* NULL: the writer checkpoints (SQLite's own hook) */
	unsigned long inline_checkpoints;
};

/* 4 KiB pages. Every transaction rewrites each page of the article_id index
 * that one of its ids lands on, and the ids are random: in a store of
 * 100,000 digests, 8 to a transaction, 16 KiB pages wrote about 49 KB per
 * digest and 4 KiB pages less than half that, for a sixth less CPU
 * (bench/nlp-bench: "insert into a store of"); in a new store 4 KiB pages
 * cost about a tenth more.
 * The page size must be set before WAL mode and only takes on a new file;
 * an existing store keeps its own. */
static const char schema_sql[] =
    "PRAGMA page_size=4096;"
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
 * STORE_CHECKPOINT_BYTES. SQLite's own way runs the checkpoint inside the
 * commit that crosses the mark, on the sink's loop: its default, 1000 pages,
 * is 16 MiB with 16 KiB pages, and copying that stalled every delivery for
 * about 20 ms (the p99 latency of the pipeline benchmark). The store hands
 * the checkpoint to its checkpointer thread instead (see struct
 * checkpointer), and the writer checkpoints itself only if the WAL still
 * reaches STORE_WAL_MAX_BYTES: under writes without a pause the thread's
 * checkpoints always trail the newest commit, and SQLite starts the WAL
 * over only once one has caught up. What the writer then copies is the
 * little the thread had not. */
static long page_size(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long page = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		page = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return page > 0 ? page : 4096;
}

static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while ((!c->wanted || c->writer) && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = 0;
		c->running = 1;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: copies what no reader still needs and never waits
		 * for the writer, who goes on committing meanwhile. */
		int rc =
		    sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		c->running = 0;
		if (rc == SQLITE_OK)
			c->done++;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* After every commit (the writer's thread), with the WAL's size in pages. */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;
	struct checkpointer *c = s->ck;
	long bytes = (long)pages * s->page_size;
	if (bytes >= STORE_WAL_MAX_BYTES) {
		/* Only one checkpoint runs at a time (SQLite answers BUSY to a
		 * second at once): wait for the thread's, and keep it from
		 * starting another, then copy the rest. With no other writer
		 * the copy reaches the newest commit, and the next commit
		 * starts the log over, unless a reader (another process)
		 * still uses old pages: PASSIVE never waits for one. */
		pthread_mutex_lock(&c->mu);
		c->writer = 1;
		while (c->running)
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
		    SQLITE_OK)
			s->inline_checkpoints++;
		pthread_mutex_lock(&c->mu);
		c->writer = 0;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	} else if (bytes >= STORE_CHECKPOINT_BYTES) {
		pthread_mutex_lock(&c->mu);
		c->wanted = 1;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

static void checkpointer_stop(struct store *s)
{
	struct checkpointer *c = s->ck;
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
	s->ck = NULL;
}

/* Start the checkpointer, or leave the checkpoints to SQLite's hook in the
 * writer's commits if it cannot start (the store works either way). */
static void set_checkpoint(struct store *s, const char *path)
{
	s->page_size = page_size(s->db);
	sqlite3_wal_autocheckpoint(s->db, (int)(STORE_CHECKPOINT_BYTES / s->page_size));
	struct checkpointer *c = calloc(1, sizeof *c);
	if (!c)
		return;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return;
	}
	sqlite3_busy_timeout(c->db, 5000);
	/* A connection learns the file is in WAL mode on its first read; until
	 * then a checkpoint on it does nothing. */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		sqlite3_close(c->db);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		free(c);
		return;
	}
	s->ck = c;
	sqlite3_wal_hook(s->db, on_wal, s); /* replaces the autocheckpoint */
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
	set_checkpoint(s, path);
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

void store_checkpoints(struct store *s, unsigned long *background, unsigned long *inline_)
{
	*background = 0;
	if (s->ck) {
		pthread_mutex_lock(&s->ck->mu);
		*background = s->ck->done;
		pthread_mutex_unlock(&s->ck->mu);
	}
	*inline_ = s->inline_checkpoints;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	checkpointer_stop(s);
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
