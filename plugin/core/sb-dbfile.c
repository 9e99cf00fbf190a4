/* sb-dbfile.c: looking at a database file without owning it.
 *
 * Every statement here is fixed SQL over the schema SB_STORE_SCHEMA_VERSION
 * describes (sb-store.c's migrations); values are bound, never pasted.  The
 * connection is read-only, so a mistake here cannot change a history.
 */
#include "smileback/sb-dbfile.h"
#include "smileback/sb-store.h"
#include "sb-store-file-private.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

/* The schema that added rooms, room_members and room_lines. */
#define ROOMS_SCHEMA 6

struct _SbDbFile
{
  sqlite3 *db;
  char *path;
  char *unreadable;   /* why the file is no database at all; then db is NULL */
  int schema_version; /* -1 when the file could not be read at all */
};

/* Maps an SQLite failure to the store's error domain, as the store does. */
static void
set_error (sqlite3 *db, int rc, const char *what, GError **error)
{
  int code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED           ? SB_STORE_ERROR_BUSY
             : rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB      ? SB_STORE_ERROR_CORRUPT
             : rc == SQLITE_CANTOPEN                            ? SB_STORE_ERROR_NOT_FOUND
                                                                : SB_STORE_ERROR_FAILED;
  if (code == SB_STORE_ERROR_BUSY)
    g_set_error (error, SB_STORE_ERROR, code,
                 _("%s: the database stayed locked by another program; try again"), what);
  else
    g_set_error (error, SB_STORE_ERROR, code, "%s: %s", what,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

static sqlite3_stmt *
prepare (SbDbFile *file, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (file->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (file->db, rc, file->path, error);
      return NULL;
    }
  return stmt;
}

/* The single integer @sql returns; FALSE with @error. */
static gboolean
query_int (SbDbFile *file, const char *sql, gint64 *value, GError **error)
{
  sqlite3_stmt *stmt = prepare (file, sql, error);
  if (stmt == NULL)
    return FALSE;
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  else
    set_error (file->db, rc, file->path, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

SbDbFile *
sb_dbfile_open (const char *path, GError **error)
{
  g_autoptr (SbDbFile) file = g_new0 (SbDbFile, 1);
  file->path = g_strdup (path);
  file->schema_version = -1;
  g_autoptr (GError) local = NULL;
  if (sb_store_file_inspect (path, &local))
    file->db = sb_store_file_open_read_only (path, &local);
  /* A file that is not a database, or damaged at its start, is still a file
   * to describe: sb_dbfile_check_integrity() says why it cannot be read. */
  if (g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
    {
      file->unreadable = g_strdup (local->message);
      return g_steal_pointer (&file);
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  gint64 version = -1;
  if (!query_int (file, "PRAGMA user_version", &version, &local)
      && !g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  file->schema_version = (int) version;
  return g_steal_pointer (&file);
}

gboolean
sb_dbfile_check_usable (SbDbFile *file, GError **error)
{
  int version = 0;
  if (file->unreadable != NULL)
    {
      g_set_error_literal (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT, file->unreadable);
      return FALSE;
    }
  return sb_store_file_check_schema (file->db, file->path, TRUE, &version, error);
}

void
sb_dbfile_free (SbDbFile *file)
{
  if (file == NULL)
    return;
  g_clear_pointer (&file->db, sqlite3_close);
  g_free (file->unreadable);
  g_free (file->path);
  g_free (file);
}

const char *
sb_dbfile_get_path (SbDbFile *file)
{
  return file->path;
}

int
sb_dbfile_get_schema_version (SbDbFile *file)
{
  return file->schema_version;
}

gboolean
sb_dbfile_check_integrity (SbDbFile *file, gboolean full, char **problem, GError **error)
{
  *problem = NULL;
  if (file->schema_version < 0)
    {
      *problem = g_strdup (file->unreadable != NULL ? file->unreadable
                                                    : _("not a database, or damaged beyond reading"));
      return TRUE;
    }
  g_autoptr (GError) local = NULL;
  sqlite3_stmt *stmt = prepare (file, full ? "PRAGMA integrity_check" : "PRAGMA quick_check",
                                &local);
  int rc = stmt != NULL ? sqlite3_step (stmt) : SQLITE_ERROR;
  if (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    *problem = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB
           || g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
    *problem = g_strdup (sqlite3_errmsg (file->db));
  else if (rc != SQLITE_ROW)
    {
      if (local == NULL)
        set_error (file->db, rc, file->path, &local);
      g_propagate_error (error, g_steal_pointer (&local));
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || *problem != NULL;
}

gboolean
sb_dbfile_count (SbDbFile *file, SbDbFileCounts *counts, GError **error)
{
  *counts = (SbDbFileCounts){ 0 };
  return query_int (file, "SELECT count(*) FROM buddies", &counts->buddies, error)
         && query_int (file, "SELECT count(*) FROM events", &counts->events, error)
         && query_int (file, "SELECT count(*) FROM episodes", &counts->episodes, error)
         && query_int (file, "SELECT count(*) FROM chat_events", &counts->chat_events, error)
         && (!sb_dbfile_has_rooms (file)
             || query_int (file, "SELECT count(*) FROM room_lines", &counts->room_lines, error));
}

gboolean
sb_dbfile_has_rooms (SbDbFile *file)
{
  return file->schema_version >= ROOMS_SCHEMA;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* TRUE when @name is the -wal of a database that went aside with it (listed
 * under its own name); a -wal that went aside alone is listed. */
static gboolean
is_wal_of_listed (const char *dir, const char *name)
{
  if (!g_str_has_suffix (name, "-wal"))
    return FALSE;
  g_autofree char *base = g_strndup (name, strlen (name) - strlen ("-wal"));
  g_autofree char *path = g_build_filename (dir, base, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

char **
sb_dbfile_find_moved_aside (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".corrupt-", NULL);
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-shm")
        && !is_wal_of_listed (dir, name))
      g_ptr_array_add (found, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (found, compare_names);
  g_ptr_array_add (found, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&found), FALSE);
}

gboolean
sb_dbfile_begin (SbDbFile *file, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (file->db, "BEGIN", NULL, NULL, &message);
  sqlite3_free (message);
  if (rc != SQLITE_OK)
    set_error (file->db, rc, file->path, error);
  return rc == SQLITE_OK;
}

void
sb_dbfile_end (SbDbFile *file)
{
  (void) sqlite3_exec (file->db, "COMMIT", NULL, NULL, NULL);
}

/* Steps @stmt to the end, calling @row for each row; finalizes it. */
static gboolean
step_rows (SbDbFile *file, sqlite3_stmt *stmt, void (*row) (sqlite3_stmt *, gpointer),
           gpointer data, GError **error)
{
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    row (stmt, data);
  if (rc != SQLITE_DONE)
    set_error (file->db, rc, file->path, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* A caller's function and data, passed through step_rows(). */
typedef struct
{
  gpointer func;
  gpointer user_data;
} Call;

static void
buddy_row (sqlite3_stmt *stmt, gpointer data)
{
  Call *call = data;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ((const char *) sqlite3_column_text (stmt, 1),
                                                 (const char *) sqlite3_column_text (stmt, 2),
                                                 (const char *) sqlite3_column_text (stmt, 3));
  if (key != NULL)
    ((SbDbFileBuddyFunc) call->func) (sqlite3_column_int64 (stmt, 0), key, sqlite3_column_int (stmt, 4) != 0,
                call->user_data);
}

gboolean
sb_dbfile_foreach_buddy (SbDbFile *file, SbDbFileBuddyFunc func, gpointer user_data,
                         GError **error)
{
  /* "Don't track" came with schema 2. */
  sqlite3_stmt *stmt = prepare (file,
                                file->schema_version >= 2
                                  ? "SELECT id, protocol, account, buddy, tracked FROM buddies"
                                  : "SELECT id, protocol, account, buddy, 1 FROM buddies",
                                error);
  Call call = { (gpointer) func, user_data };
  return stmt != NULL && step_rows (file, stmt, buddy_row, &call, error);
}

static void
event_row (sqlite3_stmt *stmt, gpointer data)
{
  SbEvent event = {
    .time = sqlite3_column_int64 (stmt, 0),
    .direction = sqlite3_column_int (stmt, 1) != 0 ? SB_DIRECTION_IN : SB_DIRECTION_OUT,
    .kind = (SbEventKind) sqlite3_column_int (stmt, 2),
    .digest = (guint64) sqlite3_column_int64 (stmt, 3),
    .source = (SbSource) sqlite3_column_int (stmt, 4),
    .flags = (guint) sqlite3_column_int (stmt, 5),
    .size_bucket = (guint) sqlite3_column_int (stmt, 6),
  };
  g_array_append_val ((GArray *) data, event);
}

gboolean
sb_dbfile_load_events (SbDbFile *file, gint64 buddy_id, GArray *out, GError **error)
{
  sqlite3_stmt *stmt = prepare (file,
                                "SELECT time, direction, kind, digest, source, flags, size_bucket"
                                " FROM events WHERE buddy_id = ? ORDER BY time, direction, kind",
                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, buddy_id);
  return step_rows (file, stmt, event_row, out, error);
}

/* Column @i of the row @stmt is on, in @strings; NULL for SQL NULL and for
 * the user's empty member key. */
static const char *
member_column (sqlite3_stmt *stmt, int i, GStringChunk *strings)
{
  const char *text = (const char *) sqlite3_column_text (stmt, i);
  return text != NULL && text[0] != '\0' ? g_string_chunk_insert_const (strings, text) : NULL;
}

typedef struct
{
  GArray *out;
  GStringChunk *strings;
} RoomLines;

static void
room_line_row (sqlite3_stmt *stmt, gpointer data)
{
  RoomLines *lines = data;
  SbDbFileRoomLine row = {
    .room = { .protocol = g_string_chunk_insert_const (lines->strings,
                                                       (const char *) sqlite3_column_text (stmt, 0)),
              .account = g_string_chunk_insert_const (lines->strings,
                                                      (const char *) sqlite3_column_text (stmt, 1)),
              .room = g_string_chunk_insert_const (lines->strings,
                                                   (const char *) sqlite3_column_text (stmt, 2)) },
    .line = { .time = sqlite3_column_int64 (stmt, 3),
              .speaker = member_column (stmt, 4, lines->strings),
              .digest = (guint64) sqlite3_column_int64 (stmt, 5),
              .has_parent = sqlite3_column_type (stmt, 6) != SQLITE_NULL,
              .parent_time = sqlite3_column_int64 (stmt, 6),
              .parent_speaker = member_column (stmt, 7, lines->strings),
              .confident = sqlite3_column_int (stmt, 8) != 0,
              .source = (SbSource) sqlite3_column_int (stmt, 9) },
  };
  g_array_append_val (lines->out, row);
}

gboolean
sb_dbfile_load_room_lines (SbDbFile *file, GArray *out, GStringChunk *strings, GError **error)
{
  g_return_val_if_fail (g_array_get_element_size (out) == sizeof (SbDbFileRoomLine), FALSE);
  if (!sb_dbfile_has_rooms (file))
    return TRUE;
  sqlite3_stmt *stmt = prepare (file,
                                "SELECT r.protocol, r.account, r.room, l.time, s.member, l.digest,"
                                " l.parent_time, p.member, l.confident, l.source"
                                " FROM room_lines l JOIN rooms r ON r.id = l.room_id"
                                " JOIN room_members s ON s.id = l.speaker_id"
                                " LEFT JOIN room_members p ON p.id = l.parent_speaker_id"
                                " ORDER BY r.protocol, r.account, r.room, l.time, l.id",
                                error);
  RoomLines lines = { out, strings };
  return stmt != NULL && step_rows (file, stmt, room_line_row, &lines, error);
}

#define KEY_COLUMNS "b.protocol AS protocol, b.account AS account, b.buddy AS buddy"
#define KEY_JOIN " JOIN buddies b ON b.id = t.buddy_id"
#define KEY_ORDER " ORDER BY b.protocol, b.account, b.buddy"

/* One statement per exported table; the columns are what an export shows. */
static const struct
{
  const char *name;
  const char *sql;
} export_tables[SB_DBFILE_TABLE_LAST] = {
  [SB_DBFILE_BUDDIES] = { "buddies", "SELECT " KEY_COLUMNS ", b.tracked AS tracked"
                                     " FROM buddies b" KEY_ORDER },
  [SB_DBFILE_EVENTS] = { "events", "SELECT " KEY_COLUMNS ", time, direction, kind, source, flags,"
                                   " size_bucket FROM events t" KEY_JOIN KEY_ORDER
                                   ", time, direction, kind" },
  [SB_DBFILE_EPISODES] = { "episodes", "SELECT " KEY_COLUMNS ", start, last, answered_at,"
                                       " initiator, messages_out, messages_in, turns_out,"
                                       " turns_in, last_dir, flags FROM episodes t" KEY_JOIN
                                       KEY_ORDER ", start" },
  [SB_DBFILE_SUMMARIES] = { "summaries", "SELECT " KEY_COLUMNS ", episodes, started_by_you,"
                                         " started_by_them, answered_by_them, answered_by_you,"
                                         " messages_sent, messages_received, last_episode,"
                                         " last_you_started, last_event, automated"
                                         " FROM summaries t" KEY_JOIN KEY_ORDER },
  [SB_DBFILE_CHAT_EVENTS] = { "chat_events", "SELECT protocol, account, room, member, kind, time,"
                                             " source FROM chat_events"
                                             " ORDER BY protocol, account, room, time" },
  [SB_DBFILE_PROMPT_STATE] = { "prompt_state", "SELECT " KEY_COLUMNS ", kind, snoozed_until,"
                                               " muted FROM prompt_state t" KEY_JOIN KEY_ORDER
                                               ", kind" },
  [SB_DBFILE_PROMPT_LOG] = { "prompt_log", "SELECT " KEY_COLUMNS ", kind, shown_at, answer,"
                                           " answered_at FROM prompt_log t" KEY_JOIN
                                           " ORDER BY shown_at, t.id" },
  [SB_DBFILE_PAIRS] = { "pairs", "SELECT a.protocol AS protocol_a, a.account AS account_a,"
                                 " a.buddy AS buddy_a, b.protocol AS protocol_b,"
                                 " b.account AS account_b, b.buddy AS buddy_b, mark, time"
                                 " FROM pairs t JOIN buddies a ON a.id = t.buddy_a"
                                 " JOIN buddies b ON b.id = t.buddy_b ORDER BY time" },
  [SB_DBFILE_ROOMS] = { "rooms", "SELECT protocol, account, room FROM rooms"
                                 " ORDER BY protocol, account, room" },
  /* The user is the empty member: null here.  A line's parent is named by
   * its time and speaker, as the store links them. */
  [SB_DBFILE_ROOM_LINES] = { "room_lines", "SELECT r.protocol AS protocol, r.account AS account,"
                                           " r.room AS room, l.time AS time,"
                                           " nullif (s.member, '') AS speaker,"
                                           " l.parent_time AS parent_time,"
                                           " CASE WHEN l.parent_time IS NULL THEN NULL"
                                           " ELSE nullif (p.member, '') END AS parent_speaker,"
                                           " l.confident AS confident, l.source AS source"
                                           " FROM room_lines l JOIN rooms r ON r.id = l.room_id"
                                           " JOIN room_members s ON s.id = l.speaker_id"
                                           " LEFT JOIN room_members p"
                                           " ON p.id = l.parent_speaker_id"
                                           " ORDER BY r.protocol, r.account, r.room, l.time,"
                                           " l.id" },
};

const char *
sb_dbfile_table_name (SbDbFileTable table)
{
  return table < SB_DBFILE_TABLE_LAST ? export_tables[table].name : NULL;
}

static void
export_row (sqlite3_stmt *stmt, gpointer data)
{
  Call *call = data;
  int n = sqlite3_column_count (stmt);
  g_autofree SbDbFileValue *values = g_new0 (SbDbFileValue, n);
  for (int i = 0; i < n; i++)
    {
      values[i].name = sqlite3_column_name (stmt, i);
      values[i].null = sqlite3_column_type (stmt, i) == SQLITE_NULL;
      if (sqlite3_column_type (stmt, i) == SQLITE_TEXT)
        values[i].text = (const char *) sqlite3_column_text (stmt, i);
      else
        values[i].number = sqlite3_column_int64 (stmt, i);
    }
  ((SbDbFileRowFunc) call->func) (values, (guint) n, call->user_data);
}

gboolean
sb_dbfile_foreach_row (SbDbFile *file, SbDbFileTable table, SbDbFileRowFunc func,
                       gpointer user_data, GError **error)
{
  g_return_val_if_fail (table < SB_DBFILE_TABLE_LAST, FALSE);
  if ((table == SB_DBFILE_ROOMS || table == SB_DBFILE_ROOM_LINES) && !sb_dbfile_has_rooms (file))
    return TRUE;
  sqlite3_stmt *stmt = prepare (file, export_tables[table].sql, error);
  Call call = { (gpointer) func, user_data };
  return stmt != NULL && step_rows (file, stmt, export_row, &call, error);
}

/* The rows naming a member (?1 protocol, ?2 account, ?3 member), in the
 * order they go: the chat observations; then, from the room tables, links to
 * the member's lines (the lines stay and start a thread), the member's lines
 * and the member. */
#define MEMBER_IDS "SELECT id FROM room_members WHERE protocol = ?1 AND account = ?2 AND member = ?3"
static const char *const forget_member_sql[] = {
  "DELETE FROM chat_events WHERE protocol = ?1 AND account = ?2 AND member = ?3",
  "UPDATE room_lines SET parent_time = NULL, parent_speaker_id = NULL, confident = 0"
  " WHERE parent_speaker_id IN (" MEMBER_IDS ")",
  "DELETE FROM room_lines WHERE speaker_id IN (" MEMBER_IDS ")",
  "DELETE FROM room_members WHERE protocol = ?1 AND account = ?2 AND member = ?3",
};

/* Runs one statement of forget_member_sql[] for @key. */
static gboolean
forget_member_step (SbDbFile *file, const char *sql, const SbBuddyKey *key, GError **error)
{
  sqlite3_stmt *stmt = prepare (file, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key->protocol, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key->account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, key->buddy, -1, SQLITE_STATIC);
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    set_error (file->db, rc, file->path, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
exec (SbDbFile *file, const char *sql, GError **error)
{
  int rc = sqlite3_exec (file->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    set_error (file->db, rc, file->path, error);
  return rc == SQLITE_OK;
}

gboolean
sb_dbfile_forget_chat_member (const char *path, const SbBuddyKey *key, GError **error)
{
  g_return_val_if_fail (key != NULL && key->buddy != NULL && key->buddy[0] != '\0', FALSE);
  SbDbFile file = { .path = (char *) path };
  int rc = sqlite3_open_v2 (path, &file.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (file.db, rc, path, error);
      sqlite3_close (file.db);
      return FALSE;
    }
  sqlite3_busy_timeout (file.db, SB_DBFILE_BUSY_TIMEOUT_MS);
  gint64 version = 0;
  gboolean ok = exec (&file, "BEGIN IMMEDIATE", error)
                && query_int (&file, "PRAGMA user_version", &version, error);
  file.schema_version = (int) version;
  /* Before the room tables only the first statement applies. */
  gsize n = sb_dbfile_has_rooms (&file) ? G_N_ELEMENTS (forget_member_sql) : 1;
  for (gsize i = 0; ok && i < n; i++)
    ok = forget_member_step (&file, forget_member_sql[i], key, error);
  ok = ok && exec (&file, "COMMIT", error);
  if (!ok)
    (void) sqlite3_exec (file.db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (file.db);
  return ok;
}
