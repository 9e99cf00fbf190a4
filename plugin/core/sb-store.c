/* sb-store.c: Smile Back's SQLite file.
 *
 * Layout (PRAGMA user_version = SB_STORE_SCHEMA_VERSION):
 *   meta(key, value)          the profile secret and other singletons
 *   buddies(id, protocol, account, buddy, tracked)
 *   events(buddy_id, time, direction, kind, digest, source, flags, size_bucket)
 *                              one row per line, never text; the primary key
 *                              makes the same message seen twice one row
 *   episodes(buddy_id, start, ...)  the segmentation, kept so that nothing
 *                              replays events to answer a question
 *   summaries(buddy_id, ...)  exact all-time counts, loaded at start-up
 *   imported_files(path, size, mtime)  so a log import resumes
 *   chat_events(...)          who was seen in which group chat
 *
 * Writes are queued (SbStoreOp) and committed together by sb_store_flush() in
 * one transaction; WAL with synchronous=NORMAL means a commit costs no fsync,
 * so a flush every few seconds is cheap and a crash loses at most that much.
 */
#include "smileback/sb-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_DEFINE_QUARK (sb-store-error-quark, sb_store_error)

/* Each step takes the schema from version i to i + 1, in its own transaction.
 * Never edit a step that has shipped: add one. */
static const char *const migrations[] = {
  /* 0 -> 1: the first schema. */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);"
  "CREATE TABLE buddies (id INTEGER PRIMARY KEY, protocol TEXT NOT NULL,"
  "  account TEXT NOT NULL, buddy TEXT NOT NULL, UNIQUE (protocol, account, buddy));"
  "CREATE TABLE events (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  time INTEGER NOT NULL, direction INTEGER NOT NULL, kind INTEGER NOT NULL,"
  "  digest INTEGER NOT NULL, source INTEGER NOT NULL, flags INTEGER NOT NULL,"
  "  size_bucket INTEGER NOT NULL,"
  "  PRIMARY KEY (buddy_id, time, direction, kind, digest)) WITHOUT ROWID;"
  "CREATE TABLE episodes (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  start INTEGER NOT NULL, last INTEGER NOT NULL, answered_at INTEGER NOT NULL,"
  "  initiator INTEGER NOT NULL, messages_out INTEGER NOT NULL, messages_in INTEGER NOT NULL,"
  "  turns_out INTEGER NOT NULL, turns_in INTEGER NOT NULL, last_dir INTEGER NOT NULL,"
  "  flags INTEGER NOT NULL, PRIMARY KEY (buddy_id, start)) WITHOUT ROWID;"
  "CREATE TABLE summaries (buddy_id INTEGER PRIMARY KEY REFERENCES buddies (id) ON DELETE CASCADE,"
  "  episodes INTEGER NOT NULL, started_by_you INTEGER NOT NULL,"
  "  started_by_them INTEGER NOT NULL, answered_by_them INTEGER NOT NULL,"
  "  answered_by_you INTEGER NOT NULL, messages_sent INTEGER NOT NULL,"
  "  messages_received INTEGER NOT NULL, last_episode INTEGER NOT NULL,"
  "  last_you_started INTEGER NOT NULL, last_event INTEGER NOT NULL);",

  /* 1 -> 2: "don't track", log import bookkeeping, group chats. */
  "ALTER TABLE buddies ADD COLUMN tracked INTEGER NOT NULL DEFAULT 1;"
  "CREATE TABLE imported_files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
  "  mtime INTEGER NOT NULL);"
  /* The key columns come first and in key order: SQLite 3.40's quick_check
   * misreports a WITHOUT ROWID table whose key skips a column ("NULL value"). */
  "CREATE TABLE chat_events (protocol TEXT NOT NULL, account TEXT NOT NULL,"
  "  room TEXT NOT NULL, member TEXT NOT NULL, kind INTEGER NOT NULL,"
  "  time INTEGER NOT NULL, source INTEGER NOT NULL,"
  "  PRIMARY KEY (protocol, account, room, member, kind, time)) WITHOUT ROWID;"
  "CREATE INDEX chat_events_member ON chat_events (protocol, account, member);",

  /* 2 -> 3: the planner's memory: snoozes and mutes, and every prompt shown. */
  "CREATE TABLE prompt_state (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  kind INTEGER NOT NULL, snoozed_until INTEGER NOT NULL, muted INTEGER NOT NULL,"
  "  PRIMARY KEY (buddy_id, kind)) WITHOUT ROWID;"
  "CREATE TABLE prompt_log (id INTEGER PRIMARY KEY,"
  "  buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  kind INTEGER NOT NULL, shown_at INTEGER NOT NULL, answer INTEGER NOT NULL DEFAULT 0,"
  "  answered_at INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX prompt_log_shown ON prompt_log (shown_at);",

  /* 3 -> 4: how many automated messages a buddy sent (for the tooltip). */
  "ALTER TABLE summaries ADD COLUMN automated INTEGER NOT NULL DEFAULT 0;",

  /* 4 -> 5: pairs for introductions ("they know each other", "introduced"). */
  "CREATE TABLE pairs (buddy_a INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  buddy_b INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
  "  mark INTEGER NOT NULL, time INTEGER NOT NULL,"
  "  PRIMARY KEY (buddy_a, buddy_b, mark)) WITHOUT ROWID;"
  "CREATE INDEX chat_events_room ON chat_events (protocol, account, room, kind);",
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SB_STORE_SCHEMA_VERSION);

/* Statements prepared once and reused; the SQL is fixed, values are bound. */
typedef enum
{
  STMT_INSERT_EVENT,
  STMT_UPSERT_EPISODE,
  STMT_DELETE_EPISODES,
  STMT_UPSERT_SUMMARY,
  STMT_LOOKUP_BUDDY,
  STMT_INSERT_BUDDY,
  STMT_FOREACH_BUDDY,
  STMT_LOAD_EPISODES,
  STMT_LOAD_EVENTS,
  STMT_LAST_EPISODE_START,
  STMT_SET_TRACKED,
  STMT_FORGET_BUDDY,
  STMT_GET_FILE_MARK,
  STMT_SET_FILE_MARK,
  STMT_INSERT_CHAT_EVENT,
  STMT_FOREACH_PROMPT_STATE,
  STMT_SET_PROMPT_STATE,
  STMT_LOG_PROMPT,
  STMT_ANSWER_PROMPT,
  STMT_COUNT_PROMPTS,
  STMT_PROMPT_OUTCOMES,
  STMT_FLAG_AUTOMATED,
  STMT_REPEATED_TEXTS,
  STMT_MARK_PAIR,
  STMT_PAIR_MARKS,
  STMT_SEEN_TOGETHER,
  STMT_INVITED_SINCE,
  STMT_INTRODUCTION_OUTCOMES,
  STMT_INVITATION_OUTCOMES,
  STMT_LAST
} SbStmt;

static const char *const statement_sql[STMT_LAST] = {
  [STMT_INSERT_EVENT] =
    "INSERT OR IGNORE INTO events (buddy_id, time, direction, kind, digest, source, flags,"
    " size_bucket) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  [STMT_UPSERT_EPISODE] =
    "INSERT INTO episodes (buddy_id, start, last, answered_at, initiator, messages_out,"
    " messages_in, turns_out, turns_in, last_dir, flags)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT (buddy_id, start) DO UPDATE SET last = ?3, answered_at = ?4, initiator = ?5,"
    " messages_out = ?6, messages_in = ?7, turns_out = ?8, turns_in = ?9, last_dir = ?10,"
    " flags = ?11",
  [STMT_DELETE_EPISODES] = "DELETE FROM episodes WHERE buddy_id = ?1 AND start >= ?2",
  [STMT_UPSERT_SUMMARY] =
    "INSERT INTO summaries (buddy_id, episodes, started_by_you, started_by_them,"
    " answered_by_them, answered_by_you, messages_sent, messages_received, last_episode,"
    " last_you_started, last_event, automated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (buddy_id) DO UPDATE SET episodes = ?2, started_by_you = ?3,"
    " started_by_them = ?4, answered_by_them = ?5, answered_by_you = ?6, messages_sent = ?7,"
    " messages_received = ?8, last_episode = ?9, last_you_started = ?10, last_event = ?11,"
    " automated = ?12",
  [STMT_LOOKUP_BUDDY] = "SELECT id FROM buddies WHERE protocol = ?1 AND account = ?2 AND buddy = ?3",
  [STMT_INSERT_BUDDY] = "INSERT INTO buddies (protocol, account, buddy) VALUES (?1, ?2, ?3)",
  [STMT_FOREACH_BUDDY] =
    "SELECT b.id, b.protocol, b.account, b.buddy, b.tracked, s.episodes, s.started_by_you,"
    " s.started_by_them, s.answered_by_them, s.answered_by_you, s.messages_sent,"
    " s.messages_received, s.last_episode, s.last_you_started, s.last_event, s.automated"
    " FROM buddies b LEFT JOIN summaries s ON s.buddy_id = b.id ORDER BY b.id",
  [STMT_LOAD_EPISODES] =
    "SELECT start, last, answered_at, initiator, messages_out, messages_in, turns_out, turns_in,"
    " last_dir, flags FROM episodes WHERE buddy_id = ?1 AND start >= ?2 ORDER BY start",
  [STMT_LOAD_EVENTS] =
    "SELECT time, direction, kind, digest, source, flags, size_bucket FROM events"
    " WHERE buddy_id = ?1 AND time >= ?2 ORDER BY time, direction, kind, digest",
  [STMT_LAST_EPISODE_START] =
    "SELECT max(start) FROM episodes WHERE buddy_id = ?1 AND start <= ?2"
    " AND (?3 < 0 OR initiator = ?3)",
  [STMT_SET_TRACKED] = "UPDATE buddies SET tracked = ?2 WHERE id = ?1",
  [STMT_FORGET_BUDDY] = "DELETE FROM buddies WHERE id = ?1",
  [STMT_GET_FILE_MARK] = "SELECT size, mtime FROM imported_files WHERE path = ?1",
  [STMT_SET_FILE_MARK] =
    "INSERT INTO imported_files (path, size, mtime) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (path) DO UPDATE SET size = ?2, mtime = ?3",
  [STMT_INSERT_CHAT_EVENT] =
    "INSERT OR IGNORE INTO chat_events (protocol, account, room, member, kind, source, time)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_FOREACH_PROMPT_STATE] =
    "SELECT b.protocol, b.account, b.buddy, p.kind, p.snoozed_until, p.muted"
    " FROM prompt_state p JOIN buddies b ON b.id = p.buddy_id",
  [STMT_SET_PROMPT_STATE] =
    "INSERT INTO prompt_state (buddy_id, kind, snoozed_until, muted) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (buddy_id, kind) DO UPDATE SET snoozed_until = ?3, muted = ?4",
  [STMT_LOG_PROMPT] = "INSERT INTO prompt_log (buddy_id, kind, shown_at) VALUES (?1, ?2, ?3)",
  [STMT_ANSWER_PROMPT] = "UPDATE prompt_log SET answer = ?2, answered_at = ?3 WHERE id = ?1",
  [STMT_COUNT_PROMPTS] =
    "SELECT count(*) FROM prompt_log WHERE shown_at >= ?1 AND (?2 < 0 OR kind = ?2)",
  /* Acted: the user wrote to the buddy within an hour of the prompt.  Smiled
   * back: the buddy wrote after that within R (48 h). */
  [STMT_PROMPT_OUTCOMES] =
    "SELECT count(*), count(acted),"
    " sum(acted IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.buddy_id = l.buddy_id"
    "   AND e.direction = 1 AND e.kind = 0 AND e.time > l.acted AND e.time <= l.acted + 172800))"
    " FROM (SELECT buddy_id, (SELECT min(time) FROM events e WHERE e.buddy_id = p.buddy_id"
    "   AND e.direction = 0 AND e.kind = 0 AND e.time >= p.shown_at"
    "   AND e.time <= p.shown_at + 3600) AS acted"
    "   FROM prompt_log p WHERE p.kind = ?1) l",
  [STMT_FLAG_AUTOMATED] =
    "UPDATE events SET flags = flags | 2 WHERE buddy_id = ?1 AND time = ?2 AND direction = 1"
    " AND kind = 0 AND digest = ?3 AND flags & 2 = 0",
  [STMT_REPEATED_TEXTS] =
    "SELECT buddy_id, time, digest, flags FROM events WHERE direction = 1 AND kind = 0"
    " AND digest IN (SELECT digest FROM events WHERE direction = 1 AND kind = 0 AND digest != 0"
    "   AND size_bucket >= ?2 GROUP BY digest HAVING count(DISTINCT buddy_id) >= ?1)"
    " ORDER BY digest, time",
  /* Pairs are stored with the smaller id first, so (a, b) and (b, a) are one. */
  [STMT_MARK_PAIR] =
    "INSERT OR IGNORE INTO pairs (buddy_a, buddy_b, mark, time) VALUES (min (?1, ?2), max (?1, ?2), ?3, ?4)",
  [STMT_PAIR_MARKS] =
    "SELECT coalesce (sum (DISTINCT mark), 0) FROM pairs WHERE buddy_a = min (?1, ?2) AND buddy_b = max (?1, ?2)",
  [STMT_SEEN_TOGETHER] =
    "SELECT EXISTS (SELECT 1 FROM chat_events x JOIN chat_events y ON y.protocol = x.protocol"
    "   AND y.account = x.account AND y.room = x.room AND y.kind = 1"
    " WHERE x.kind = 1 AND x.protocol = ?1 AND x.member = ?2 AND y.protocol = ?3 AND y.member = ?4"
    "   AND x.time >= ?5 AND y.time >= ?5)",
  [STMT_INVITED_SINCE] =
    "SELECT EXISTS (SELECT 1 FROM chat_events WHERE protocol = ?1 AND account = ?2 AND room = ?3"
    "   AND member = ?4 AND kind = 2 AND time >= ?5)",
  [STMT_INTRODUCTION_OUTCOMES] =
    "SELECT count(*), sum (EXISTS (SELECT 1 FROM chat_events x JOIN chat_events y"
    "   ON y.protocol = x.protocol AND y.account = x.account AND y.room = x.room AND y.kind = 1"
    "   WHERE x.kind = 1 AND x.protocol = a.protocol AND x.member = a.buddy"
    "   AND y.protocol = b.protocol AND y.member = b.buddy AND x.time >= p.time AND y.time >= p.time))"
    " FROM pairs p JOIN buddies a ON a.id = p.buddy_a JOIN buddies b ON b.id = p.buddy_b"
    " WHERE p.mark = 2",
  [STMT_INVITATION_OUTCOMES] =
    "SELECT count(*), sum (EXISTS (SELECT 1 FROM chat_events j WHERE j.protocol = i.protocol"
    "   AND j.account = i.account AND j.room = i.room AND j.member = i.member AND j.kind = 1"
    "   AND j.time >= i.time AND j.time <= i.time + 86400))"
    " FROM chat_events i WHERE i.kind = 2",
};

typedef enum
{
  OP_EVENT,
  OP_EPISODE,
  OP_DELETE_EPISODES,
  OP_SUMMARY,
} SbStoreOpKind;

/* One queued write. */
typedef struct
{
  SbStoreOpKind kind;
  gint64 buddy_id;
  union
  {
    SbEvent event;
    SbEpisode episode;
    gint64 since;
    struct
    {
      SbCounts counts;
      gint64 last_event;
    } summary;
  };
} SbStoreOp;

/* One SQLite connection and its prepared statements.  Each connection is used
 * by one thread only. */
typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *statements[STMT_LAST];
} SbConnection;

/* The background writer: queued operations handed over by a flush are
 * committed on its own connection, so the caller's thread never waits on the
 * disk.  Everything below @lock is shared with the writer thread. */
typedef struct
{
  GThread *thread;
  SbConnection connection;
  GMutex lock;
  GCond cond;
  GArray *handoff;  /* SbStoreOp handed over and not yet committed, in order */
  gboolean kick;    /* a flush asked the writer to commit the handoff */
  gboolean writing; /* the writer holds a batch outside the lock */
  gboolean stop;
  GError *error;    /* why the last commit failed; NULL after a success */
} SbWriter;

struct _SbStore
{
  SbConnection main; /* reads and the rare immediate writes, caller's thread */
  char *path;
  char *moved_aside;
  GArray *queue;     /* SbStoreOp not yet handed to the writer */
  SbWriter *writer;  /* NULL for ":memory:", where flushes are synchronous */
  guint8 secret[32];
  int schema_version;
};

static gboolean writer_start (SbStore *store, GError **error);
static void writer_stop (SbWriter *writer);

/* Set once any statement found the file damaged: a store closed after that is
 * not marked clean, so the next open runs the full check.  Process-wide,
 * since SQLite 3.40 has no per-connection user data to keep it on; erring
 * this way only costs a slower next start. */
static gint corruption_seen = 0;

/* Sets @error from the connection's last SQLite error, prefixed by @what. */
static void
set_sqlite_error (sqlite3 *db, int rc, const char *what, GError **error)
{
  int code = SB_STORE_ERROR_FAILED;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    code = SB_STORE_ERROR_BUSY;
  else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    {
      code = SB_STORE_ERROR_CORRUPT;
      g_atomic_int_set (&corruption_seen, 1);
    }
  g_set_error (error, SB_STORE_ERROR, code, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

/* The one helper for "prepare or set the error": returns the cached statement,
 * reset and with its bindings cleared, or NULL with @error set. */
static sqlite3_stmt *
connection_statement (SbConnection *connection, SbStmt which, GError **error)
{
  sqlite3_stmt *stmt = connection->statements[which];
  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (connection->db, statement_sql[which], -1,
                                   SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          set_sqlite_error (connection->db, rc, "cannot prepare statement", error);
          return NULL;
        }
      connection->statements[which] = stmt;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static sqlite3_stmt *
store_statement (SbStore *store, SbStmt which, GError **error)
{
  return connection_statement (&store->main, which, error);
}

/* Steps a statement that returns no rows; FALSE with @error otherwise. */
static gboolean
step_done (sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (sqlite3_db_handle (stmt), rc, what, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
connection_exec (SbConnection *connection, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (connection->db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? SB_STORE_ERROR_BUSY
                 : (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? SB_STORE_ERROR_CORRUPT
                                                                 : SB_STORE_ERROR_FAILED;
      if (code == SB_STORE_ERROR_CORRUPT)
        g_atomic_int_set (&corruption_seen, 1);
      g_set_error (error, SB_STORE_ERROR, code, "%s", message != NULL ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_exec (SbStore *store, const char *sql, GError **error)
{
  return connection_exec (&store->main, sql, error);
}

/* Runs a single-integer query such as a PRAGMA; FALSE with @error on failure. */
static gboolean
query_int (SbStore *store, const char *sql, gint64 *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (store->main.db, rc, sql, error);
      return FALSE;
    }
  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* PRAGMA quick_check: TRUE when the file reads as a sound database.  A busy
 * file is no verdict: FALSE with SB_STORE_ERROR_BUSY. */
static gboolean
quick_check (SbStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0)
    return TRUE;
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT, "quick_check failed: %s",
                   (const char *) sqlite3_column_text (stmt, 0));
      return FALSE;
    }
  set_sqlite_error (store->main.db, rc, "cannot read the database", error);
  return FALSE;
}

/* Creates @path with mode 0600 if it does not exist, so SQLite (which keeps
 * an existing file's mode, and gives its -wal and -shm files the same) never
 * makes it world-readable. */
static gboolean
create_private_file (const char *path, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return TRUE;
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "cannot create %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Moves a corrupt database and its WAL aside as "<path>.corrupt-<time>" so a
 * person (or a recovery tool) can still get at it; never deletes it. */
char *
sb_store_move_aside (const char *path, GError **error)
{
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%" G_GINT64_FORMAT, path,
                                             g_get_real_time () / G_USEC_PER_SEC);
  if (g_rename (path, target) != 0)
    {
      int saved = errno;
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
                   "%s is damaged and cannot be moved aside: %s", path, g_strerror (saved));
      return NULL;
    }
  for (const char *const *suffix = (const char *const[]){ "-wal", "-shm", NULL }; *suffix != NULL;
       suffix++)
    {
      g_autofree char *from = g_strconcat (path, *suffix, NULL);
      g_autofree char *to = g_strconcat (target, *suffix, NULL);
      if (g_file_test (from, G_FILE_TEST_EXISTS))
        (void) g_rename (from, to);
    }
  g_warning ("%s was damaged; it was moved aside as %s and a new history was started", path,
             target);
  return g_steal_pointer (&target);
}

/* Opens @path on @connection; the file must exist (create_private_file()). */
static gboolean
connection_open (SbConnection *connection, const char *path, GError **error)
{
  int rc = sqlite3_open_v2 (path, &connection->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (connection->db, rc, "cannot open the database", error);
      return FALSE;
    }
  sqlite3_extended_result_codes (connection->db, 0);
  sqlite3_busy_timeout (connection->db, SB_STORE_BUSY_TIMEOUT_MS);
  return TRUE;
}

static void
connection_close (SbConnection *connection)
{
  for (int i = 0; i < STMT_LAST; i++)
    g_clear_pointer (&connection->statements[i], sqlite3_finalize);
  g_clear_pointer (&connection->db, sqlite3_close);
}

static gboolean
open_connection (SbStore *store, GError **error)
{
  gboolean in_memory = g_strcmp0 (store->path, ":memory:") == 0;
  if (!in_memory && !create_private_file (store->path, error))
    return FALSE;
  return connection_open (&store->main, store->path, error);
}

static gboolean
migrate (SbStore *store, GError **error)
{
  gint64 version = 0;
  if (!query_int (store, "PRAGMA user_version", &version, error))
    return FALSE;
  if (version > SB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW,
                   "%s was written by a newer Smile Back (schema %" G_GINT64_FORMAT
                   ", this one knows %d); it was left untouched",
                   store->path, version, SB_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (gint64 v = version; v < SB_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, v + 1);
      g_autoptr (GError) local = NULL;
      if (!sb_store_exec (store, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!sb_store_exec (store, migrations[v], &local) || !sb_store_exec (store, bump, &local))
        {
          (void) sb_store_exec (store, "ROLLBACK", NULL);
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      "cannot migrate to schema %" G_GINT64_FORMAT ": ", v + 1);
          return FALSE;
        }
      if (!sb_store_exec (store, "COMMIT", error))
        return FALSE;
    }
  store->schema_version = SB_STORE_SCHEMA_VERSION;
  return TRUE;
}

/* The profile secret: 32 bytes from SQLite's randomblob() (a CSPRNG seeded
 * from the OS), made once. */
static gboolean
load_secret (SbStore *store, GError **error)
{
  if (!sb_store_exec (store,
                      "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', randomblob(32))",
                      error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, "SELECT value FROM meta WHERE key = 'secret'", -1, &stmt,
                               NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW || sqlite3_column_bytes (stmt, 0) != (int) sizeof store->secret)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "the profile secret is missing");
      return FALSE;
    }
  memcpy (store->secret, sqlite3_column_blob (stmt, 0), sizeof store->secret);
  return TRUE;
}

/* TRUE in *@clean when the last session closed the file cleanly (meta
 * "clean" = 1).  A file without that mark (new, old, or after a crash) is not
 * clean; one that is not a database is an error. */
static gboolean
read_clean_mark (SbStore *store, gboolean *clean, GError **error)
{
  *clean = FALSE;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, "SELECT value FROM meta WHERE key = 'clean'", -1,
                               &stmt, NULL);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    {
      set_sqlite_error (store->main.db, rc, "cannot read the database", error);
      return FALSE;
    }
  if (rc != SQLITE_OK)
    return TRUE; /* no meta table yet */
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *clean = sqlite3_column_int (stmt, 0) == 1;
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot read the database", error);
      return FALSE;
    }
  return TRUE;
}

/* After a clean close: read the small tables through, which finds a file cut
 * short or overwritten at its start, without the full scan that would make
 * a large history slow to open.  Damage deeper in shows as SQLITE_CORRUPT
 * when read, and the next start then runs quick_check. */
static gboolean
light_check (SbStore *store, GError **error)
{
  gint64 rows = 0;
  return query_int (store,
                    "SELECT (SELECT count(*) FROM meta) + (SELECT count(*) FROM buddies)"
                    " + (SELECT count(*) FROM summaries)",
                    &rows, error);
}

/* Checks and prepares an open connection.  FALSE with SB_STORE_ERROR_CORRUPT
 * means "move it aside and start over". */
static gboolean
prepare_database (SbStore *store, GError **error)
{
  gboolean clean = FALSE;
  if (!read_clean_mark (store, &clean, error))
    return FALSE;
  if (clean ? !light_check (store, error) : !quick_check (store, error))
    return FALSE;
  if (!sb_store_exec (store, "PRAGMA foreign_keys = ON", error))
    return FALSE;
  if (g_strcmp0 (store->path, ":memory:") != 0)
    {
      g_autoptr (sqlite3_stmt) stmt = NULL;
      int rc = sqlite3_prepare_v2 (store->main.db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (store->main.db, rc, "cannot switch to WAL", error);
          return FALSE;
        }
      /* WAL + NORMAL: commits are atomic and cost no fsync; a power cut may
       * lose the last seconds, never the file. */
      if (!sb_store_exec (store, "PRAGMA synchronous = NORMAL", error))
        return FALSE;
    }
  /* Unclean until sb_store_free() says otherwise. */
  return migrate (store, error) && load_secret (store, error)
         && sb_store_exec (store, "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', 0)",
                           error);
}

/* Gives a file database its background writer; returns @store, or NULL (and
 * frees it) when that fails. */
static SbStore *
store_start_writer (SbStore *store, GError **error)
{
  if (g_strcmp0 (store->path, ":memory:") == 0 || writer_start (store, error))
    return store;
  sb_store_free (store);
  return NULL;
}

SbStore *
sb_store_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  SbStore *store = g_new0 (SbStore, 1);
  store->path = g_strdup (path);
  store->queue = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));

  g_autoptr (GError) local = NULL;
  if (open_connection (store, &local) && prepare_database (store, &local))
    return store_start_writer (store, error);

  if (g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT)
      && g_strcmp0 (path, ":memory:") != 0)
    {
      connection_close (&store->main);
      store->moved_aside = sb_store_move_aside (path, error);
      g_clear_error (&local);
      if (store->moved_aside != NULL && open_connection (store, &local)
          && prepare_database (store, &local))
        return store_start_writer (store, error);
    }

  if (local != NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
  sb_store_free (store);
  return NULL;
}

void
sb_store_free (SbStore *store)
{
  if (store == NULL)
    return;
  if (store->main.db != NULL && sb_store_pending (store) > 0)
    {
      g_autoptr (GError) error = NULL;
      if (!sb_store_flush (store, &error))
        g_warning ("%u pending writes could not be saved: %s", sb_store_pending (store),
                   error->message);
    }
  gboolean saved = store->main.db != NULL && sb_store_pending (store) == 0;
  g_clear_pointer (&store->writer, writer_stop);
  if (saved && !g_atomic_int_get (&corruption_seen))
    (void) sb_store_exec (store, "UPDATE meta SET value = 1 WHERE key = 'clean'", NULL);
  connection_close (&store->main);
  g_array_unref (store->queue);
  g_free (store->moved_aside);
  g_free (store->path);
  g_free (store);
}

const char *
sb_store_get_moved_aside (SbStore *store)
{
  return store->moved_aside;
}

int
sb_store_get_schema_version (SbStore *store)
{
  return store->schema_version;
}

const guint8 *
sb_store_get_secret (SbStore *store, gsize *len)
{
  if (len != NULL)
    *len = sizeof store->secret;
  return store->secret;
}

static void
bind_key (sqlite3_stmt *stmt, const SbBuddyKey *key)
{
  sqlite3_bind_text (stmt, 1, key->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key->account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, key->buddy, -1, SQLITE_STATIC);
}

gint64
sb_store_lookup_buddy (SbStore *store, const SbBuddyKey *key, gboolean create, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_LOOKUP_BUDDY, error);
  if (stmt == NULL)
    return 0;
  bind_key (stmt, key);
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      return id;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot look up a buddy", error);
      return 0;
    }
  if (!create)
    return 0;

  stmt = store_statement (store, STMT_INSERT_BUDDY, error);
  if (stmt == NULL)
    return 0;
  bind_key (stmt, key);
  if (!step_done (stmt, "cannot add a buddy", error))
    return 0;
  return sqlite3_last_insert_rowid (store->main.db);
}

gboolean
sb_store_foreach_buddy (SbStore *store, SbStoreBuddyFunc func, gpointer user_data, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;

  /* Not the cached statement: @func may call back into the store. */
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, statement_sql[STMT_FOREACH_BUDDY], -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (store->main.db, rc, "cannot list buddies", error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbBuddyKey key = {
        .protocol = (char *) sqlite3_column_text (stmt, 1),
        .account = (char *) sqlite3_column_text (stmt, 2),
        .buddy = (char *) sqlite3_column_text (stmt, 3),
      };
      SbCounts all = {
        .episodes = sqlite3_column_int (stmt, 5),
        .started_by_you = sqlite3_column_int (stmt, 6),
        .started_by_them = sqlite3_column_int (stmt, 7),
        .answered_by_them = sqlite3_column_int (stmt, 8),
        .answered_by_you = sqlite3_column_int (stmt, 9),
        .messages_sent = sqlite3_column_int (stmt, 10),
        .messages_received = sqlite3_column_int (stmt, 11),
        .last_episode = sqlite3_column_int64 (stmt, 12),
        .last_you_started = sqlite3_column_int64 (stmt, 13),
        .automated = sqlite3_column_int (stmt, 15),
      };
      if (!func (sqlite3_column_int64 (stmt, 0), &key, &all, sqlite3_column_int64 (stmt, 14),
                 sqlite3_column_int (stmt, 4) != 0, user_data))
        return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot list buddies", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_load_episodes (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;
  sqlite3_stmt *stmt = store_statement (store, STMT_LOAD_EPISODES, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int64 (stmt, 2, since);

  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbEpisode episode = {
        .start = sqlite3_column_int64 (stmt, 0),
        .last = sqlite3_column_int64 (stmt, 1),
        .answered_at = sqlite3_column_int64 (stmt, 2),
        .initiator = sqlite3_column_int (stmt, 3) == SB_DIRECTION_IN ? SB_DIRECTION_IN
                                                                     : SB_DIRECTION_OUT,
        .messages_out = sqlite3_column_int (stmt, 4),
        .messages_in = sqlite3_column_int (stmt, 5),
        .turns_out = sqlite3_column_int (stmt, 6),
        .turns_in = sqlite3_column_int (stmt, 7),
        .last_dir = sqlite3_column_int (stmt, 8) == SB_DIRECTION_IN ? SB_DIRECTION_IN
                                                                    : SB_DIRECTION_OUT,
        .flags = sqlite3_column_int (stmt, 9),
      };
      g_array_append_val (out, episode);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot load episodes", error);
      return FALSE;
    }
  return TRUE;
}

/* Reads the event at the current row of a STMT_LOAD_EVENTS statement.  Values
 * outside the enums (a hand-edited file) read as the harmless "system". */
static SbEvent
event_from_row (sqlite3_stmt *stmt)
{
  int kind = sqlite3_column_int (stmt, 2);
  return (SbEvent){
    .time = sqlite3_column_int64 (stmt, 0),
    .direction = sqlite3_column_int (stmt, 1) == SB_DIRECTION_IN ? SB_DIRECTION_IN
                                                                 : SB_DIRECTION_OUT,
    .kind = kind >= 0 && kind < SB_EVENT_KIND_LAST ? (SbEventKind) kind : SB_EVENT_SYSTEM,
    .digest = (guint64) sqlite3_column_int64 (stmt, 3),
    .source = sqlite3_column_int (stmt, 4) == SB_SOURCE_IMPORT ? SB_SOURCE_IMPORT : SB_SOURCE_LIVE,
    .flags = sqlite3_column_int (stmt, 5),
    .size_bucket = sqlite3_column_int (stmt, 6),
  };
}

gboolean
sb_store_load_events (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;
  sqlite3_stmt *stmt = store_statement (store, STMT_LOAD_EVENTS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int64 (stmt, 2, since);

  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbEvent event = event_from_row (stmt);
      g_array_append_val (out, event);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot load events", error);
      return FALSE;
    }
  return TRUE;
}

static gboolean query_row (sqlite3_stmt *stmt, gint64 *values, int n, const char *what,
                           GError **error);

gboolean
sb_store_last_episode_start (SbStore *store, gint64 buddy_id, gint64 before, int initiator,
                             gint64 *start, GError **error)
{
  *start = 0;
  if (!sb_store_flush (store, error))
    return FALSE;
  sqlite3_stmt *stmt = store_statement (store, STMT_LAST_EPISODE_START, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int64 (stmt, 2, before);
  sqlite3_bind_int (stmt, 3, initiator);
  return query_row (stmt, start, 1, "cannot find an episode", error);
}

static void
queue_op (SbStore *store, const SbStoreOp *op)
{
  g_array_append_vals (store->queue, op, 1);
}

void
sb_store_queue_event (SbStore *store, gint64 buddy_id, const SbEvent *event)
{
  queue_op (store, &(SbStoreOp){ .kind = OP_EVENT, .buddy_id = buddy_id, .event = *event });
}

void
sb_store_queue_episode (SbStore *store, gint64 buddy_id, const SbEpisode *episode)
{
  queue_op (store, &(SbStoreOp){ .kind = OP_EPISODE, .buddy_id = buddy_id, .episode = *episode });
}

void
sb_store_queue_delete_episodes (SbStore *store, gint64 buddy_id, gint64 since)
{
  queue_op (store,
            &(SbStoreOp){ .kind = OP_DELETE_EPISODES, .buddy_id = buddy_id, .since = since });
}

void
sb_store_queue_summary (SbStore *store, gint64 buddy_id, const SbCounts *all, gint64 last_event)
{
  SbStoreOp op = { .kind = OP_SUMMARY, .buddy_id = buddy_id };
  op.summary.counts = *all;
  op.summary.last_event = last_event;
  queue_op (store, &op);
}

/* Binds and runs STMT_INSERT_EVENT; *@inserted says whether a row was added. */
static gboolean
write_event (SbConnection *connection, gint64 buddy_id, const SbEvent *event, gboolean *inserted,
             GError **error)
{
  sqlite3_stmt *stmt = connection_statement (connection, STMT_INSERT_EVENT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int64 (stmt, 2, event->time);
  sqlite3_bind_int (stmt, 3, event->direction);
  sqlite3_bind_int (stmt, 4, event->kind);
  sqlite3_bind_int64 (stmt, 5, (gint64) event->digest);
  sqlite3_bind_int (stmt, 6, event->source);
  sqlite3_bind_int (stmt, 7, (int) event->flags);
  sqlite3_bind_int (stmt, 8, (int) event->size_bucket);
  if (!step_done (stmt, "cannot save an event", error))
    return FALSE;
  if (inserted != NULL)
    *inserted = sqlite3_changes (connection->db) > 0;
  return TRUE;
}

static gboolean
write_op (SbConnection *connection, const SbStoreOp *op, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  switch (op->kind)
    {
    case OP_EVENT:
      return write_event (connection, op->buddy_id, &op->event, NULL, error);

    case OP_EPISODE:
      stmt = connection_statement (connection, STMT_UPSERT_EPISODE, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, op->buddy_id);
      sqlite3_bind_int64 (stmt, 2, op->episode.start);
      sqlite3_bind_int64 (stmt, 3, op->episode.last);
      sqlite3_bind_int64 (stmt, 4, op->episode.answered_at);
      sqlite3_bind_int (stmt, 5, op->episode.initiator);
      sqlite3_bind_int (stmt, 6, (int) op->episode.messages_out);
      sqlite3_bind_int (stmt, 7, (int) op->episode.messages_in);
      sqlite3_bind_int (stmt, 8, (int) op->episode.turns_out);
      sqlite3_bind_int (stmt, 9, (int) op->episode.turns_in);
      sqlite3_bind_int (stmt, 10, op->episode.last_dir);
      sqlite3_bind_int (stmt, 11, (int) op->episode.flags);
      return step_done (stmt, "cannot save an episode", error);

    case OP_DELETE_EPISODES:
      stmt = connection_statement (connection, STMT_DELETE_EPISODES, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, op->buddy_id);
      sqlite3_bind_int64 (stmt, 2, op->since);
      return step_done (stmt, "cannot replace episodes", error);

    case OP_SUMMARY:
      stmt = connection_statement (connection, STMT_UPSERT_SUMMARY, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, op->buddy_id);
      sqlite3_bind_int (stmt, 2, (int) op->summary.counts.episodes);
      sqlite3_bind_int (stmt, 3, (int) op->summary.counts.started_by_you);
      sqlite3_bind_int (stmt, 4, (int) op->summary.counts.started_by_them);
      sqlite3_bind_int (stmt, 5, (int) op->summary.counts.answered_by_them);
      sqlite3_bind_int (stmt, 6, (int) op->summary.counts.answered_by_you);
      sqlite3_bind_int (stmt, 7, (int) op->summary.counts.messages_sent);
      sqlite3_bind_int (stmt, 8, (int) op->summary.counts.messages_received);
      sqlite3_bind_int64 (stmt, 9, op->summary.counts.last_episode);
      sqlite3_bind_int64 (stmt, 10, op->summary.counts.last_you_started);
      sqlite3_bind_int64 (stmt, 11, op->summary.last_event);
      sqlite3_bind_int (stmt, 12, (int) op->summary.counts.automated);
      return step_done (stmt, "cannot save a summary", error);
    }
  g_assert_not_reached ();
}

/* Runs @ops in one IMMEDIATE transaction on @connection; all or nothing. */
static gboolean
write_ops (SbConnection *connection, const SbStoreOp *ops, guint n, GError **error)
{
  if (!connection_exec (connection, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!write_op (connection, &ops[i], error))
      {
        (void) connection_exec (connection, "ROLLBACK", NULL);
        return FALSE;
      }
  if (!connection_exec (connection, "COMMIT", error))
    {
      (void) connection_exec (connection, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

/* The writer thread: waits for a kick, commits everything handed over in one
 * transaction, and on failure puts the batch back in front so that nothing is
 * lost and order is kept; the next flush retries. */
static gpointer
writer_main (gpointer data)
{
  SbWriter *writer = data;
  g_mutex_lock (&writer->lock);
  for (;;)
    {
      while (!writer->kick && !writer->stop)
        g_cond_wait (&writer->cond, &writer->lock);
      if (!writer->kick)
        break;
      writer->kick = FALSE;
      if (writer->handoff->len == 0)
        {
          g_cond_broadcast (&writer->cond);
          continue;
        }

      GArray *batch = writer->handoff;
      writer->handoff = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
      writer->writing = TRUE;
      g_mutex_unlock (&writer->lock);

      GError *error = NULL;
      gboolean ok = write_ops (&writer->connection, (const SbStoreOp *) batch->data, batch->len,
                               &error);

      g_mutex_lock (&writer->lock);
      writer->writing = FALSE;
      g_clear_error (&writer->error);
      if (!ok)
        {
          g_array_prepend_vals (writer->handoff, batch->data, batch->len);
          writer->error = error;
        }
      g_array_unref (batch);
      g_cond_broadcast (&writer->cond);
    }
  g_mutex_unlock (&writer->lock);
  return NULL;
}

/* Starts the writer on its own connection.  FALSE with @error when the
 * connection cannot be opened. */
static gboolean
writer_start (SbStore *store, GError **error)
{
  SbWriter *writer = g_new0 (SbWriter, 1);
  if (!connection_open (&writer->connection, store->path, error)
      || !connection_exec (&writer->connection, "PRAGMA synchronous = NORMAL", error)
      || !connection_exec (&writer->connection, "PRAGMA foreign_keys = ON", error))
    {
      connection_close (&writer->connection);
      g_free (writer);
      return FALSE;
    }
  g_mutex_init (&writer->lock);
  g_cond_init (&writer->cond);
  writer->handoff = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
  writer->thread = g_thread_new ("smileback-writer", writer_main, writer);
  store->writer = writer;
  return TRUE;
}

static void
writer_stop (SbWriter *writer)
{
  g_mutex_lock (&writer->lock);
  writer->stop = TRUE;
  g_cond_broadcast (&writer->cond);
  g_mutex_unlock (&writer->lock);
  g_thread_join (writer->thread);
  connection_close (&writer->connection);
  g_clear_error (&writer->error);
  g_array_unref (writer->handoff);
  g_mutex_clear (&writer->lock);
  g_cond_clear (&writer->cond);
  g_free (writer);
}

/* Hands the queue to the writer and kicks it.  Called with the lock held. */
static void
writer_hand_over (SbStore *store)
{
  SbWriter *writer = store->writer;
  g_array_append_vals (writer->handoff, store->queue->data, store->queue->len);
  g_array_set_size (store->queue, 0);
  writer->kick = TRUE;
  g_cond_broadcast (&writer->cond);
}

gboolean
sb_store_flush_in_background (SbStore *store, GError **error)
{
  if (store->writer == NULL)
    return sb_store_flush (store, error);

  SbWriter *writer = store->writer;
  g_mutex_lock (&writer->lock);
  gboolean ok = writer->error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (writer->error));
  if (store->queue->len > 0 || writer->handoff->len > 0)
    writer_hand_over (store);
  g_mutex_unlock (&writer->lock);
  return ok;
}

gboolean
sb_store_flush (SbStore *store, GError **error)
{
  if (store->writer == NULL)
    {
      if (store->queue->len == 0)
        return TRUE;
      if (!write_ops (&store->main, (const SbStoreOp *) store->queue->data, store->queue->len,
                      error))
        return FALSE; /* the queue is kept for the next try */
      g_array_set_size (store->queue, 0);
      return TRUE;
    }

  SbWriter *writer = store->writer;
  g_mutex_lock (&writer->lock);
  if (store->queue->len > 0 || writer->handoff->len > 0)
    writer_hand_over (store);
  /* Wait for this commit, or for one already under way. */
  while (writer->kick || writer->writing)
    g_cond_wait (&writer->cond, &writer->lock);
  gboolean ok = writer->handoff->len == 0;
  if (!ok)
    g_propagate_error (error, writer->error != NULL
                                ? g_error_copy (writer->error)
                                : g_error_new_literal (SB_STORE_ERROR, SB_STORE_ERROR_FAILED,
                                                       "pending writes could not be saved"));
  g_mutex_unlock (&writer->lock);
  return ok;
}

guint
sb_store_pending (SbStore *store)
{
  guint pending = store->queue->len;
  if (store->writer != NULL)
    {
      g_mutex_lock (&store->writer->lock);
      pending += store->writer->handoff->len + (store->writer->writing ? 1 : 0);
      g_mutex_unlock (&store->writer->lock);
    }
  return pending;
}

gboolean
sb_store_insert_events (SbStore *store, gint64 buddy_id, const SbEvent *events, guint n,
                        guint *n_new, gint64 *earliest_new, gboolean *inserted_flags,
                        GError **error)
{
  *n_new = 0;
  *earliest_new = G_MAXINT64;
  if (!sb_store_flush (store, error))
    return FALSE;
  if (!sb_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;

  guint added = 0;
  gint64 earliest = G_MAXINT64;
  for (guint i = 0; i < n; i++)
    {
      gboolean inserted = FALSE;
      if (!write_event (&store->main, buddy_id, &events[i], &inserted, error))
        {
          (void) sb_store_exec (store, "ROLLBACK", NULL);
          return FALSE;
        }
      if (inserted_flags != NULL)
        inserted_flags[i] = inserted;
      if (inserted)
        {
          added++;
          earliest = MIN (earliest, events[i].time);
        }
    }
  if (!sb_store_exec (store, "COMMIT", error))
    {
      (void) sb_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  *n_new = added;
  *earliest_new = earliest;
  return TRUE;
}

gboolean
sb_store_set_tracked (SbStore *store, gint64 buddy_id, gboolean tracked, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_SET_TRACKED, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int (stmt, 2, tracked ? 1 : 0);
  return step_done (stmt, "cannot change tracking", error);
}

gboolean
sb_store_forget_buddy (SbStore *store, gint64 buddy_id, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;
  /* events, episodes and summaries go with the buddy (ON DELETE CASCADE). */
  sqlite3_stmt *stmt = store_statement (store, STMT_FORGET_BUDDY, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  return step_done (stmt, "cannot forget the buddy", error);
}

gboolean
sb_store_get_file_mark (SbStore *store, const char *path, gint64 *size, gint64 *mtime,
                        GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_GET_FILE_MARK, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_STATIC);
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *size = sqlite3_column_int64 (stmt, 0);
      *mtime = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sqlite_error (store->main.db, rc, "cannot read import marks", error);
  return rc == SQLITE_ROW;
}

gboolean
sb_store_set_file_mark (SbStore *store, const char *path, gint64 size, gint64 mtime,
                        GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_SET_FILE_MARK, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, size);
  sqlite3_bind_int64 (stmt, 3, mtime);
  return step_done (stmt, "cannot save an import mark", error);
}

gboolean
sb_store_add_chat_event (SbStore *store, const SbChatEvent *event, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_INSERT_CHAT_EVENT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, event->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, event->account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, event->room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, event->member != NULL ? event->member : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, event->kind);
  sqlite3_bind_int (stmt, 6, event->source);
  sqlite3_bind_int64 (stmt, 7, event->time);
  return step_done (stmt, "cannot save a group chat event", error);
}

gboolean
sb_store_foreach_prompt_state (SbStore *store, SbStorePromptStateFunc func, gpointer user_data,
                               GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_FOREACH_PROMPT_STATE, error);
  if (stmt == NULL)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbBuddyKey key = {
        .protocol = (char *) sqlite3_column_text (stmt, 0),
        .account = (char *) sqlite3_column_text (stmt, 1),
        .buddy = (char *) sqlite3_column_text (stmt, 2),
      };
      func (&key, sqlite3_column_int (stmt, 3), sqlite3_column_int64 (stmt, 4),
            sqlite3_column_int (stmt, 5) != 0, user_data);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot load prompt answers", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_set_prompt_state (SbStore *store, gint64 buddy_id, int kind, gint64 snoozed_until,
                           gboolean muted, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_SET_PROMPT_STATE, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, snoozed_until);
  sqlite3_bind_int (stmt, 4, muted ? 1 : 0);
  return step_done (stmt, "cannot save a prompt answer", error);
}

gint64
sb_store_log_prompt (SbStore *store, gint64 buddy_id, int kind, gint64 shown_at, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_LOG_PROMPT, error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, shown_at);
  if (!step_done (stmt, "cannot log a prompt", error))
    return 0;
  return sqlite3_last_insert_rowid (store->main.db);
}

gboolean
sb_store_answer_prompt (SbStore *store, gint64 prompt_id, int answer, gint64 answered_at,
                        GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_ANSWER_PROMPT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, prompt_id);
  sqlite3_bind_int (stmt, 2, answer);
  sqlite3_bind_int64 (stmt, 3, answered_at);
  return step_done (stmt, "cannot save a prompt answer", error);
}

/* Runs a prepared one-row statement and reads @n integer columns into @values. */
static gboolean
query_row (sqlite3_stmt *stmt, gint64 *values, int n, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < n; i++)
      values[i] = sqlite3_column_int64 (stmt, i);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (sqlite3_db_handle (stmt), rc, what, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_count_prompts_since (SbStore *store, gint64 since, int kind, guint *count,
                              GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_COUNT_PROMPTS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int (stmt, 2, kind);
  gint64 value = 0;
  if (!query_row (stmt, &value, 1, "cannot count prompts", error))
    return FALSE;
  *count = (guint) value;
  return TRUE;
}

gboolean
sb_store_prompt_outcomes (SbStore *store, int kind, guint *shown, guint *acted,
                          guint *smiled_back, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;
  sqlite3_stmt *stmt = store_statement (store, STMT_PROMPT_OUTCOMES, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, kind);
  gint64 values[3] = { 0 };
  if (!query_row (stmt, values, 3, "cannot read prompt outcomes", error))
    return FALSE;
  *shown = (guint) values[0];
  *acted = (guint) values[1];
  *smiled_back = (guint) values[2];
  return TRUE;
}

gboolean
sb_store_flag_automated (SbStore *store, gint64 buddy_id, gint64 time, guint64 digest,
                         gboolean *changed, GError **error)
{
  *changed = FALSE;
  if (!sb_store_flush (store, error))
    return FALSE;
  sqlite3_stmt *stmt = store_statement (store, STMT_FLAG_AUTOMATED, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  sqlite3_bind_int64 (stmt, 2, time);
  sqlite3_bind_int64 (stmt, 3, (gint64) digest);
  if (!step_done (stmt, "cannot mark a message automated", error))
    return FALSE;
  *changed = sqlite3_changes (store->main.db) > 0;
  return TRUE;
}

gboolean
sb_store_foreach_repeated_text (SbStore *store, guint min_buddies, guint min_size,
                                SbStoreTextFunc func, gpointer user_data, GError **error)
{
  if (!sb_store_flush (store, error))
    return FALSE;
  /* Not the cached statement: @func may call back into the store. */
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, statement_sql[STMT_REPEATED_TEXTS], -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (store->main.db, rc, "cannot look for repeated texts", error);
      return FALSE;
    }
  sqlite3_bind_int (stmt, 1, (int) min_buddies);
  sqlite3_bind_int (stmt, 2, (int) min_size);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
          (guint64) sqlite3_column_int64 (stmt, 2), (guint) sqlite3_column_int (stmt, 3), user_data);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store->main.db, rc, "cannot look for repeated texts", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_mark_pair (SbStore *store, gint64 buddy_a, gint64 buddy_b, SbPairMark mark, gint64 time,
                    GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_MARK_PAIR, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_a);
  sqlite3_bind_int64 (stmt, 2, buddy_b);
  sqlite3_bind_int (stmt, 3, mark);
  sqlite3_bind_int64 (stmt, 4, time);
  return step_done (stmt, "cannot save a pair", error);
}

gboolean
sb_store_pair_marks (SbStore *store, gint64 buddy_a, gint64 buddy_b, guint *marks, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_PAIR_MARKS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_a);
  sqlite3_bind_int64 (stmt, 2, buddy_b);
  gint64 value = 0;
  if (!query_row (stmt, &value, 1, "cannot read a pair", error))
    return FALSE;
  *marks = (guint) value;
  return TRUE;
}

gboolean
sb_store_seen_together (SbStore *store, const SbBuddyKey *a, const SbBuddyKey *b, gint64 since,
                        gboolean *together, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_SEEN_TOGETHER, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, a->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, a->buddy, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, b->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, b->buddy, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, since);
  gint64 value = 0;
  if (!query_row (stmt, &value, 1, "cannot look for shared group chats", error))
    return FALSE;
  *together = value != 0;
  return TRUE;
}

gboolean
sb_store_invited_since (SbStore *store, const char *protocol, const char *account,
                        const char *room, const char *member, gint64 since, gboolean *invited,
                        GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, STMT_INVITED_SINCE, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, room, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, since);
  gint64 value = 0;
  if (!query_row (stmt, &value, 1, "cannot look for invitations", error))
    return FALSE;
  *invited = value != 0;
  return TRUE;
}

/* Runs a two-count outcome statement. */
static gboolean
two_counts (SbStore *store, SbStmt which, guint *first, guint *second, GError **error)
{
  sqlite3_stmt *stmt = store_statement (store, which, error);
  if (stmt == NULL)
    return FALSE;
  gint64 values[2] = { 0 };
  if (!query_row (stmt, values, 2, "cannot read outcomes", error))
    return FALSE;
  *first = (guint) values[0];
  *second = (guint) values[1];
  return TRUE;
}

gboolean
sb_store_introduction_outcomes (SbStore *store, guint *introduced, guint *met, GError **error)
{
  return two_counts (store, STMT_INTRODUCTION_OUTCOMES, introduced, met, error);
}

gboolean
sb_store_invitation_outcomes (SbStore *store, guint *invited, guint *joined, GError **error)
{
  return two_counts (store, STMT_INVITATION_OUTCOMES, invited, joined, error);
}
