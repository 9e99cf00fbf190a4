/* sb-store.c: opening and closing Smile Back's SQLite file.
 *
 * Opening as the owner (the plugin) creates the file with mode 0600, checks
 * it (the full quick_check after an unclean close, a light read of the small
 * tables otherwise, and then the full check in the background:
 * sb-store-verify.c), moves a damaged file aside, migrates it
 * (sb-store-schema.c), makes the profile secret and starts the writer
 * (sb-store-writer.c); closing flushes and marks the file clean.  A visitor
 * (the command's writes) checks in full and refuses a damaged file; a reader
 * opens it read-only and changes nothing (sb-store-file.c looks at the path
 * first).  This file also keeps the helpers every other store
 * file runs its SQL through: the statement cache, binding, stepping, and turning
 * SQLite's result codes into SB_STORE_ERROR.
 *
 * Tables (PRAGMA user_version = SB_STORE_SCHEMA_VERSION; see
 * sb-store-schema.c for their columns):
 *   meta(key, value)          the profile secret and the "clean" mark
 *   buddies, events, episodes, summaries   history (sb-store-history.c)
 *   imported_files            so a log import resumes
 *   chat_events, prompt_state, prompt_log, pairs   the planner's memory
 *                              (sb-store-prompts.c)
 *   rooms, room_members, room_lines   who answered whom in group chats
 *                              (sb-store-rooms.c)
 */
#include "sb-store-private.h"
#include "sb-store-file-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

G_DEFINE_QUARK (sb-store-error-quark, sb_store_error)

/* Set once any statement found the file damaged: a store closed after that is
 * not marked clean, so the next open runs the full check.  Process-wide,
 * since SQLite 3.40 has no per-connection user data to keep it on; erring
 * this way only costs a slower next start. */
static gint corruption_seen = 0;

/* Room a commit needs at least: a few WAL frames of 4 KiB. */
#define ROOM_NEEDED_BYTES (64 * 1024)

/* TRUE when the files of @db cannot grow by ROOM_NEEDED_BYTES: the disk
 * holding them is (nearly) full, or the process's file-size limit
 * (RLIMIT_FSIZE) stops them. */
static gboolean
no_room (sqlite3 *db)
{
  const char *path = sqlite3_db_filename (db, "main");
  if (path == NULL || path[0] == '\0')
    return FALSE;
  struct statvfs fs;
  if (statvfs (path, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < ROOM_NEEDED_BYTES)
    return TRUE;
  struct rlimit limit;
  if (getrlimit (RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return FALSE;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf db_stat = { 0 }, wal_stat = { 0 };
  (void) g_stat (path, &db_stat);
  (void) g_stat (wal, &wal_stat);
  return (guint64) MAX (db_stat.st_size, wal_stat.st_size) + ROOM_NEEDED_BYTES
         > (guint64) limit.rlim_cur;
}

/* TRUE when @rc on @db is a write the disk or the file size limit refused:
 * SQLite says SQLITE_FULL for a short write, and a plain I/O error for a
 * write that failed with ENOSPC, EFBIG or EDQUOT, whose errno it does not
 * always keep, so the room left is looked at too. */
static gboolean
is_full (sqlite3 *db, int rc)
{
  if (rc == SQLITE_FULL)
    return TRUE;
  if (rc != SQLITE_IOERR || db == NULL)
    return FALSE;
  int errnum = sqlite3_system_errno (db);
  return errnum == ENOSPC || errnum == EFBIG || errnum == EDQUOT || no_room (db);
}

/* The SbStoreError an SQLite result code means; notes damage on the way. */
static SbStoreError
error_code (sqlite3 *db, int rc)
{
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return SB_STORE_ERROR_BUSY;
  if (is_full (db, rc))
    return SB_STORE_ERROR_FULL;
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    {
      g_atomic_int_set (&corruption_seen, 1);
      return SB_STORE_ERROR_CORRUPT;
    }
  return SB_STORE_ERROR_FAILED;
}

void
sb_store_set_sqlite_error (sqlite3 *db, int rc, const char *what, GError **error)
{
  g_set_error (error, SB_STORE_ERROR, error_code (db, rc), "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

sqlite3_stmt *
sb_connection_statement (SbConnection *connection, SbStmt which, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = connection->statements[which];
  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (connection->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                                   NULL);
      if (rc != SQLITE_OK)
        {
          sb_store_set_sqlite_error (connection->db, rc, "cannot prepare statement", error);
          return NULL;
        }
      connection->statements[which] = stmt;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

sqlite3_stmt *
sb_store_statement (SbStore *store, SbStmt which, const char *sql, GError **error)
{
  return sb_connection_statement (&store->main, which, sql, error);
}

sqlite3_stmt *
sb_store_prepare (SbStore *store, const char *sql, const char *what, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sb_store_set_sqlite_error (store->main.db, rc, what, error);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  return stmt;
}

gboolean
sb_store_step_done (sqlite3_stmt *stmt, const char *what, GError **error)
{
  return sb_store_rows_done (stmt, sqlite3_step (stmt), what, error);
}

gboolean
sb_store_rows_done (sqlite3_stmt *stmt, int rc, const char *what, GError **error)
{
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sb_store_set_sqlite_error (sqlite3_db_handle (stmt), rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* Binds the next value of @args, of @type (as sb_store_bind() reads them),
 * to ?@index of @stmt. */
static void
bind_next (sqlite3_stmt *stmt, int index, char type, va_list *args)
{
  int rc = SQLITE_OK;
  switch (type)
    {
    case 'i':
      rc = sqlite3_bind_int (stmt, index, va_arg (*args, int));
      break;
    case 'I':
      rc = sqlite3_bind_int64 (stmt, index, va_arg (*args, gint64));
      break;
    case 's':
      rc = sqlite3_bind_text (stmt, index, va_arg (*args, const char *), -1, SQLITE_STATIC);
      break;
    case '-':
      break;
    default:
      g_return_if_reached ();
    }
  g_warn_if_fail (rc == SQLITE_OK);
}

gboolean
sb_store_bind (sqlite3_stmt *stmt, const char *types, ...)
{
  if (stmt == NULL)
    return FALSE;
  va_list args;
  va_start (args, types);
  for (int i = 0; types[i] != '\0'; i++)
    bind_next (stmt, i + 1, types[i], &args);
  va_end (args);
  return TRUE;
}

gboolean
sb_connection_exec (SbConnection *connection, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (connection->db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SB_STORE_ERROR, error_code (connection->db, rc), "%s",
                   message != NULL ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_connection_transaction (SbConnection *connection, SbTransactionFunc what, gpointer data,
                           GError **error)
{
  if (!sb_connection_exec (connection, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!what (connection, data, error) || !sb_connection_exec (connection, "COMMIT", error))
    {
      (void) sb_connection_exec (connection, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_exec (SbStore *store, const char *sql, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  return sb_connection_exec (&store->main, sql, error);
}

gboolean
sb_store_query_int (SbStore *store, const char *sql, gint64 *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->main.db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sb_store_set_sqlite_error (store->main.db, rc, sql, error);
      return FALSE;
    }
  *value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
sb_store_query_row (sqlite3_stmt *stmt, gint64 *values, int n, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < n; i++)
      values[i] = sqlite3_column_int64 (stmt, i);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      sb_store_set_sqlite_error (sqlite3_db_handle (stmt), rc, what, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_query_exists (sqlite3_stmt *stmt, gboolean *exists, const char *what, GError **error)
{
  gint64 value = 0;
  if (!sb_store_query_row (stmt, &value, 1, what, error))
    return FALSE;
  *exists = value != 0;
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
  sb_store_set_sqlite_error (store->main.db, rc, "cannot read the database", error);
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

/* TRUE when @name, its -wal or its -shm exists. */
static gboolean
aside_name_taken (const char *name)
{
  g_autofree char *wal = g_strconcat (name, "-wal", NULL);
  g_autofree char *shm = g_strconcat (name, "-shm", NULL);
  return g_file_test (name, G_FILE_TEST_EXISTS) || g_file_test (wal, G_FILE_TEST_EXISTS)
         || g_file_test (shm, G_FILE_TEST_EXISTS);
}

/* "<path>.corrupt-<unix time>", with ".2", ".3"... when a copy set aside in
 * the same second has it: a rename must never replace an earlier copy. */
static char *
unused_aside_name (const char *path)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *name = g_strdup_printf ("%s.corrupt-%" G_GINT64_FORMAT, path, now);
  for (guint n = 2; aside_name_taken (name); n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s.corrupt-%" G_GINT64_FORMAT ".%u", path, now, n);
    }
  return name;
}

/* Moves a corrupt database and its WAL aside as "<path>.corrupt-<time>" so a
 * person (or a recovery tool) can still get at it; never deletes it. */
char *
sb_store_move_aside (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *target = unused_aside_name (path);
  /* A -wal without its database goes aside alone, under the name it would
   * have had beside it. */
  if (g_rename (path, target) != 0 && (errno != ENOENT || !sb_store_file_has_orphan_wal (path)))
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

gboolean
sb_connection_open (SbConnection *connection, const char *path, GError **error)
{
  int rc = sqlite3_open_v2 (path, &connection->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            NULL);
  if (rc != SQLITE_OK)
    {
      sb_store_set_sqlite_error (connection->db, rc, "cannot open the database", error);
      return FALSE;
    }
  sqlite3_extended_result_codes (connection->db, 0);
  sqlite3_busy_timeout (connection->db, SB_STORE_BUSY_TIMEOUT_MS);
  return TRUE;
}

/* Closes the caller's connection, the last one open.  SQLite then copies the
 * -wal into the file; not into a @damaged one whose -wal holds anything (this
 * session's writes or a crash's): both go aside as they are, the damaged file
 * with the bytes it had.  An empty -wal is deleted as usual. */
static void
close_main (SbStore *store, gboolean damaged)
{
  g_autofree char *wal = g_strconcat (store->path, "-wal", NULL);
  GStatBuf st;
  if (damaged && store->main.db != NULL && g_stat (wal, &st) == 0 && st.st_size > 0)
    (void) sqlite3_db_config (store->main.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sb_connection_close (&store->main);
}

void
sb_connection_close (SbConnection *connection)
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
  return sb_connection_open (&store->main, store->path, error);
}

/* Reads the profile secret into the store; FALSE with @error when missing. */
static gboolean
read_secret (SbStore *store, GError **error)
{
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

/* The profile secret: SB_STORE_SECRET_LEN bytes from SQLite's randomblob()
 * (a CSPRNG seeded from the OS), made once. */
static gboolean
load_secret (SbStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) make = sb_store_prepare (
    store, "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', randomblob (?1))",
    "cannot make the profile secret", error);
  return sb_store_bind (make, "i", SB_STORE_SECRET_LEN)
         && sb_store_step_done (make, "cannot make the profile secret", error)
         && read_secret (store, error);
}

/* Writes the meta "clean" mark: TRUE only from sb_store_free() after
 * everything was saved. */
static gboolean
write_clean_mark (SbStore *store, gboolean clean, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store, "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', ?1)",
    "cannot mark the database", error);
  return sb_store_bind (stmt, "i", clean ? TRUE : FALSE)
         && sb_store_step_done (stmt, "cannot mark the database", error);
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
      sb_store_set_sqlite_error (store->main.db, rc, "cannot read the database", error);
      return FALSE;
    }
  if (rc != SQLITE_OK)
    return TRUE; /* no meta table yet */
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *clean = sqlite3_column_int (stmt, 0) == TRUE;
  else if (rc != SQLITE_DONE)
    {
      sb_store_set_sqlite_error (store->main.db, rc, "cannot read the database", error);
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
  return sb_store_query_int (store,
                             "SELECT (SELECT count(*) FROM meta) + (SELECT count(*) FROM buddies)"
                             " + (SELECT count(*) FROM summaries)",
                             &rows, error);
}

/* SB_STORE_ERROR_TOO_NEW for a file of a newer schema, before anything
 * (even the switch to WAL) touches it. */
static gboolean
refuse_newer (SbStore *store, GError **error)
{
  gint64 version = 0;
  if (!sb_store_query_int (store, "PRAGMA user_version", &version, error))
    return FALSE;
  if (version <= SB_STORE_SCHEMA_VERSION)
    return TRUE;
  sb_store_file_set_too_new (store->path, version, error);
  return FALSE;
}

/* Starts the owner's full check in the background; a check that cannot
 * start is no reason to record nothing, only a warning. */
static void
start_full_check (SbStore *store)
{
  g_autoptr (GError) error = NULL;
  store->verifier = sb_store_verifier_start (store->path, &error);
  if (store->verifier == NULL)
    g_warning ("%s cannot be checked in the background: %s", store->path, error->message);
}

/* Checks and prepares an open connection.  FALSE with SB_STORE_ERROR_CORRUPT
 * means "move it aside and start over". */
static gboolean
prepare_database (SbStore *store, GError **error)
{
  gboolean clean = FALSE;
  if (!read_clean_mark (store, &clean, error) || !refuse_newer (store, error))
    return FALSE;
  /* A visitor (a command, which may take its time) always checks in full
   * before it writes: it cannot move a damaged file aside, so it refuses it. */
  clean = clean && store->mode == SB_STORE_OWNER;
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
          sb_store_set_sqlite_error (store->main.db, rc, "cannot switch to WAL", error);
          return FALSE;
        }
      /* WAL + NORMAL: commits are atomic and cost no fsync; a power cut may
       * lose the last seconds, never the file. */
      if (!sb_store_exec (store, "PRAGMA synchronous = NORMAL", error))
        return FALSE;
    }
  if (!sb_store_migrate (store, error) || !load_secret (store, error))
    return FALSE;
  /* The owner's session: unclean until sb_store_free() says otherwise, and
   * fully checked in the background when the light check was all there was. */
  if (store->mode != SB_STORE_OWNER || g_strcmp0 (store->path, ":memory:") == 0)
    return TRUE;
  if (!write_clean_mark (store, FALSE, error))
    return FALSE;
  store->session_marked = TRUE;
  if (clean)
    start_full_check (store);
  return TRUE;
}

/* Gives a file database its background writer; returns @store, or NULL (and
 * frees it) when that fails. */
static SbStore *
store_start_writer (SbStore *store, GError **error)
{
  if (g_strcmp0 (store->path, ":memory:") == 0 || sb_store_writer_start (store, error))
    return store;
  sb_store_free (store);
  return NULL;
}

/* FALSE with @error when @path is there but can never hold a history (a
 * folder, a pipe, a file this process may not read).  Whether its content is
 * a database is SQLite's to say: an empty file is a new one. */
static gboolean
check_path (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (g_strcmp0 (path, ":memory:") == 0 || sb_store_file_inspect (path, &local)
      || g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
    return TRUE;
  if (g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)
      && !g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Opens and prepares a file for writing; FALSE with SB_STORE_ERROR_CORRUPT
 * means "damaged". */
static gboolean
open_for_writing (SbStore *store, GError **error)
{
  return open_connection (store, error) && prepare_database (store, error);
}

/* The owner's way out of a damaged file: move it aside and start a new one. */
static SbStore *
open_anew (SbStore *store, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_clear_pointer (&store->verifier, sb_store_verifier_stop);
  close_main (store, TRUE);
  store->session_marked = FALSE;
  g_free (store->moved_aside);
  store->moved_aside = sb_store_move_aside (store->path, error);
  /* The damage went with the file. */
  g_atomic_int_set (&corruption_seen, 0);
  if (store->moved_aside != NULL && open_for_writing (store, &local))
    return store_start_writer (store, error);
  if (local != NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", store->path);
  sb_store_free (store);
  return NULL;
}

/* A read-only store: the file as it is, or an error that says what it is. */
static gboolean
open_read_only (SbStore *store, GError **error)
{
  int version = 0;
  if (!sb_store_file_inspect (store->path, error))
    return FALSE;
  store->main.db = sb_store_file_open_read_only (store->path, error);
  if (store->main.db == NULL
      || !sb_store_file_check_schema (store->main.db, store->path, TRUE, &version, error))
    return FALSE;
  store->schema_version = version;
  return read_secret (store, error);
}

static SbStore *
store_new (const char *path, SbStoreMode mode)
{
  SbStore *store = g_new0 (SbStore, 1);
  store->path = g_strdup (path);
  store->mode = mode;
  store->queue = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
  sb_store_ids_init (store);
  return store;
}

SbStore *
sb_store_open_with (const char *path, SbStoreMode mode, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (mode != SB_STORE_READ_ONLY || g_strcmp0 (path, ":memory:") != 0, NULL);

  SbStore *store = store_new (path, mode);
  g_autoptr (GError) local = NULL;
  if (mode == SB_STORE_READ_ONLY)
    {
      if (open_read_only (store, &local))
        return store;
    }
  else if (check_path (path, &local))
    {
      /* SQLite would delete a -wal it finds without its database. */
      if (mode == SB_STORE_OWNER && g_strcmp0 (path, ":memory:") != 0
          && sb_store_file_has_orphan_wal (path))
        return open_anew (store, error);
      if (open_for_writing (store, &local))
        return store_start_writer (store, error);
      if (mode == SB_STORE_OWNER && g_strcmp0 (path, ":memory:") != 0
          && g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
        return open_anew (store, error);
    }

  if (local != NULL && strstr (local->message, path) != NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  else if (local != NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
  sb_store_free (store);
  return NULL;
}

SbStore *
sb_store_open (const char *path, GError **error)
{
  return sb_store_open_with (path, SB_STORE_OWNER, error);
}

SbStoreCheck
sb_store_get_check (SbStore *store, const char **problem)
{
  g_return_val_if_fail (store != NULL, SB_STORE_CHECK_SOUND);
  if (problem != NULL)
    *problem = NULL;
  return store->verifier != NULL ? sb_store_verifier_get (store->verifier, problem)
                                 : SB_STORE_CHECK_SOUND;
}

gboolean
sb_store_start_over (SbStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (store->mode == SB_STORE_OWNER, FALSE);
  g_return_val_if_fail (g_strcmp0 (store->path, ":memory:") != 0, FALSE);

  g_clear_pointer (&store->writer, sb_store_writer_stop);
  g_clear_pointer (&store->verifier, sb_store_verifier_stop);
  g_array_set_size (store->queue, 0);
  close_main (store, TRUE);
  store->session_marked = FALSE;
  g_free (store->moved_aside);
  store->moved_aside = sb_store_move_aside (store->path, error);
  if (store->moved_aside == NULL)
    {
      /* Recording into the damaged file beats recording nowhere; it stays
       * unclean, so the next start checks it and tries again. */
      (void) (sb_connection_open (&store->main, store->path, NULL)
              && sb_store_writer_start (store, NULL));
      return FALSE;
    }
  /* The damage went with the file. */
  g_atomic_int_set (&corruption_seen, 0);
  return open_for_writing (store, error) && sb_store_writer_start (store, error);
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
  gboolean sound = sb_store_get_check (store, NULL) != SB_STORE_CHECK_DAMAGED
                   && !g_atomic_int_get (&corruption_seen);
  g_clear_pointer (&store->writer, sb_store_writer_stop);
  g_clear_pointer (&store->verifier, sb_store_verifier_stop);
  /* Only the owner's session, which marked the file unclean when it opened
   * it, marks it clean: another program closing it while the plugin runs
   * must not vouch for the plugin's session, and a file refused (newer,
   * damaged) is not written to. */
  if (saved && sound && store->session_marked)
    (void) write_clean_mark (store, TRUE, NULL);
  close_main (store, !sound);
  g_array_unref (store->queue);
  g_clear_pointer (&store->group, g_array_unref);
  sb_store_ids_clear (store);
  g_free (store->moved_aside);
  g_free (store->path);
  g_free (store);
}

const char *
sb_store_get_moved_aside (SbStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return store->moved_aside;
}

int
sb_store_get_schema_version (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  return store->schema_version;
}

const guint8 *
sb_store_get_secret (SbStore *store, gsize *len)
{
  g_return_val_if_fail (store != NULL, NULL);
  if (len != NULL)
    *len = sizeof store->secret;
  return store->secret;
}


