/* sb-store-file.c: a database path looked at before SQLite opens it.
 *
 * SQLite opens whatever it is given: a folder fails late with a vague
 * message, a FIFO blocks the opener forever, a text file shows up as "file is
 * not a database" only at the first read, and a read-only connection to a
 * WAL database creates its -wal and -shm files.  Here a path is inspected
 * first, without blocking and without creating anything, so a command that
 * only reads can say what it found and change nothing.
 */
#include "sb-store-file-private.h"
#include "smileback/sb-dbfile.h"
#include "smileback/sb-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first 16 bytes of every SQLite 3 database (sqlite.org/fileformat.html). */
static const char sqlite_header[16] = "SQLite format 3";

/* The table every Smile Back schema has had since the first. */
#define SB_TABLE_PROBE "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"

/* Sets @error from errno @saved of opening @path. */
static gboolean
set_open_error (const char *path, int saved, GError **error)
{
  if (saved == ENOENT || saved == ENOTDIR)
    /* TRANSLATORS: %s is a file name */
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND,
                 _("no history at %s: no such file"), path);
  else if (saved == EACCES || saved == EPERM)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_PERMISSION,
                 /* TRANSLATORS: %s is a file name */
                 _("%s cannot be read: no permission"), path);
  else
    /* TRANSLATORS: a file name, then the system's reason */
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, _("%s cannot be read: %s"), path,
                 g_strerror (saved));
  return FALSE;
}

/* FALSE with @error unless @st is a regular file. */
static gboolean
check_kind (const char *path, const struct stat *st, GError **error)
{
  if (S_ISREG (st->st_mode))
    return TRUE;
  if (S_ISDIR (st->st_mode))
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND,
                 /* TRANSLATORS: %s is a path */
                 _("%s is a folder, not a Smile Back database"), path);
  else
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND,
                 /* TRANSLATORS: %s is a path */
                 _("%s is not a regular file (a pipe, a device or a socket), not a Smile Back "
                   "database"),
                 path);
  return FALSE;
}

/* FALSE with @error unless the open file @fd starts with SQLite's header. */
static gboolean
check_header (const char *path, int fd, GError **error)
{
  char head[sizeof sqlite_header];
  ssize_t n = read (fd, head, sizeof head);
  if (n < 0)
    return set_open_error (path, errno, error);
  if (n == 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
                 /* TRANSLATORS: %s is a file name */
                 _("%s is empty: not a Smile Back database"), path);
  else if ((size_t) n < sizeof head || memcmp (head, sqlite_header, sizeof head) != 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
                 /* TRANSLATORS: %s is a file name */
                 _("%s is not a Smile Back database (nor any SQLite database)"), path);
  else
    return TRUE;
  return FALSE;
}

gboolean
sb_store_file_inspect (const char *path, GError **error)
{
  /* O_NONBLOCK: opening a FIFO for reading returns at once instead of
   * waiting for a writer; fstat() then tells what was opened. */
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      struct stat st;
      if (saved != ENOENT && g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
        return check_kind (path, &st, error);
      return set_open_error (path, saved, error);
    }
  struct stat st;
  gboolean ok = fstat (fd, &st) == 0 ? check_kind (path, &st, error) && check_header (path, fd, error)
                                      : set_open_error (path, errno, error);
  close (fd);
  return ok;
}

/* The size of @path, -1 when it does not exist or is not a regular file. */
static gint64
file_size (const char *path)
{
  GStatBuf st;
  return g_stat (path, &st) == 0 && S_ISREG (st.st_mode) ? (gint64) st.st_size : -1;
}

gboolean
sb_store_file_has_orphan_wal (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  return file_size (wal) > 0 && file_size (path) <= 0;
}

/* "file:PATH?QUERY" with PATH escaped as RFC 3986 wants, for SQLITE_OPEN_URI. */
static char *
file_uri (const char *path, const char *query)
{
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
  return g_strconcat ("file:", escaped, "?", query, NULL);
}

/* Opens @uri read-only and reads the schema, so a file SQLite cannot use
 * fails here rather than at the first query.  The SQLite result code. */
static int
open_uri (const char *uri, sqlite3 **db)
{
  int rc = sqlite3_open_v2 (uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (*db, SB_DBFILE_BUSY_TIMEOUT_MS);
      rc = sqlite3_exec (*db, "PRAGMA schema_version", NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    g_clear_pointer (db, sqlite3_close);
  return rc;
}

static void
set_sqlite_error (int rc, const char *path, GError **error)
{
  int code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED        ? SB_STORE_ERROR_BUSY
             : rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB   ? SB_STORE_ERROR_CORRUPT
             : rc == SQLITE_PERM || rc == SQLITE_AUTH        ? SB_STORE_ERROR_PERMISSION
                                                             : SB_STORE_ERROR_FAILED;
  g_set_error (error, SB_STORE_ERROR, code, "%s: %s", path, sqlite3_errstr (rc));
}

sqlite3 *
sb_store_file_open_read_only (const char *path, GError **error)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *reader = file_uri (path, "mode=ro");
  g_autofree char *immutable = file_uri (path, "immutable=1");
  sqlite3 *db = NULL;
  int rc = open_uri (g_file_test (wal, G_FILE_TEST_EXISTS) ? reader : immutable, &db);
  /* A -wal without its -shm in a folder this process may not write to: a
   * reader cannot map the log's index, so read the file as it stands. */
  if (rc == SQLITE_CANTOPEN)
    rc = open_uri (immutable, &db);
  if (rc != SQLITE_OK)
    set_sqlite_error (rc, path, error);
  return db;
}

static gboolean
query_int (sqlite3 *db, const char *sql, gint64 *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

void
sb_store_file_set_too_new (const char *path, gint64 version, GError **error)
{
  g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW,
               /* TRANSLATORS: a file name, its schema version, this build's; nothing was
                  changed */
               _("%s was written by a newer Smile Back (schema %lld; this one knows %d); it "
                 "was left untouched: update Smile Back to use it"),
               path, (long long) version, SB_STORE_SCHEMA_VERSION);
}

gboolean
sb_store_file_check_schema (sqlite3 *db, const char *path, gboolean current, int *version,
                            GError **error)
{
  gint64 user_version = 0, has_meta = 0;
  if (!query_int (db, "PRAGMA user_version", &user_version)
      || !query_int (db, SB_TABLE_PROBE, &has_meta))
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT, "%s: %s", path,
                   sqlite3_errmsg (db));
      return FALSE;
    }
  *version = (int) CLAMP (user_version, G_MININT, G_MAXINT);
  if (user_version < 1 || has_meta == 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT,
                 /* TRANSLATORS: %s is a file name */
                 _("%s is not a Smile Back database (another program's SQLite file)"), path);
  else if (user_version > SB_STORE_SCHEMA_VERSION)
    sb_store_file_set_too_new (path, user_version, error);
  else if (current && user_version < SB_STORE_SCHEMA_VERSION)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_OLD,
                 /* TRANSLATORS: a file name, its schema version, this build's */
                 _("%s was written by an older Smile Back (schema %d; this one reads %d) and "
                   "reading never upgrades it: start Pidgin with Smile Back once, then try "
                   "again"),
                 path, *version, SB_STORE_SCHEMA_VERSION);
  else
    return TRUE;
  return FALSE;
}
