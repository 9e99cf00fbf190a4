/* sb-dbfile.h: a Smile Back database file seen from outside the store.
 *
 * SbStore owns the history: it creates, migrates and repairs the file.  This
 * module only looks at a file, on its own read-only connection, so it works
 * while Pidgin holds the same file open (WAL) and never changes what it looks
 * at: never creates, never migrates, never moves a damaged file aside.  It
 * serves `smileback check` (integrity, schema, counts), `export` (every table
 * of metadata, never the secret, never a digest) and `merge` (another
 * machine's buddies, events and room lines).
 *
 * sb_dbfile_forget_chat_member() is its one write: the group-chat rows that
 * name a forgotten buddy by member name, not by buddy row.  The store's forget
 * leaves the chat observations; it deletes the buddy's room member and lines
 * itself, and this write deletes whatever of them would remain.
 */
#pragma once

#include <glib.h>
#include "sb-buddy-key.h"
#include "sb-event.h"
#include "sb-room-store.h"

G_BEGIN_DECLS

/* A locked file is waited for this long before SB_STORE_ERROR_BUSY: longer
 * than the plugin's own wait, since a command may take its time. */
#define SB_DBFILE_BUSY_TIMEOUT_MS 5000

typedef struct _SbDbFile SbDbFile;

/* Opens @path read-only, creating and changing nothing (not even the -wal
 * and -shm files of a reader), and never blocking on a FIFO.  NULL with
 * @error: SB_STORE_ERROR_NOT_FOUND when missing, a folder or not a regular
 * file, SB_STORE_ERROR_PERMISSION, SB_STORE_ERROR_BUSY, else
 * SB_STORE_ERROR_FAILED.  A file that is no database (or damaged at its
 * start) opens, with schema version -1, so that
 * sb_dbfile_check_integrity() can describe it.  Free with sb_dbfile_free(). */
SbDbFile *sb_dbfile_open (const char *path, GError **error);

/* FALSE with @error in SB_STORE_ERROR unless @file is a Smile Back database
 * of the schema this build writes: CORRUPT (not one, or unreadable), TOO_NEW,
 * TOO_OLD (reading never migrates). */
gboolean sb_dbfile_check_usable (SbDbFile *file, GError **error);
void sb_dbfile_free (SbDbFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbDbFile, sb_dbfile_free)

const char *sb_dbfile_get_path (SbDbFile *file);

/* PRAGMA user_version: 0 for an empty or foreign file. */
int sb_dbfile_get_schema_version (SbDbFile *file);

/* Runs PRAGMA quick_check (@full: integrity_check).  TRUE when it ran: then
 * *@problem is NULL for a sound file, else SQLite's first complaint (caller
 * frees).  A file too damaged to check also counts as a problem. */
gboolean sb_dbfile_check_integrity (SbDbFile *file, gboolean full, char **problem,
                                    GError **error);

typedef struct
{
  gint64 buddies;
  gint64 events;
  gint64 episodes;
  gint64 chat_events;
  gint64 room_lines; /* 0 in a file older than the room tables */
} SbDbFileCounts;

gboolean sb_dbfile_count (SbDbFile *file, SbDbFileCounts *counts, GError **error);

/* The damaged copies the store moved aside beside @path ("<path>.corrupt-*",
 * and "<path>.corrupt-*-wal" for a -wal that was found without its
 * database), sorted, full paths; an empty vector when none.  Caller frees. */
char **sb_dbfile_find_moved_aside (const char *path);

/* Starts and ends one read transaction, so several reads see one state of a
 * file another process is writing. */
gboolean sb_dbfile_begin (SbDbFile *file, GError **error);
void sb_dbfile_end (SbDbFile *file);

/* Calls @func for every buddy: its row id in this file, key, tracking flag. */
typedef void (*SbDbFileBuddyFunc) (gint64 buddy_id, const SbBuddyKey *key, gboolean tracked,
                                   gpointer user_data);
gboolean sb_dbfile_foreach_buddy (SbDbFile *file, SbDbFileBuddyFunc func, gpointer user_data,
                                  GError **error);

/* Appends the events of @buddy_id to @out (GArray of SbEvent), in time order. */
gboolean sb_dbfile_load_events (SbDbFile *file, gint64 buddy_id, GArray *out, GError **error);

/* The tables `export` writes, each row with the buddy's key in place of its
 * row id.  Never the meta table (the secret), never a digest, never the
 * import bookkeeping (file paths of this machine). */
typedef enum
{
  SB_DBFILE_BUDDIES,
  SB_DBFILE_EVENTS,
  SB_DBFILE_EPISODES,
  SB_DBFILE_SUMMARIES,
  SB_DBFILE_CHAT_EVENTS,
  SB_DBFILE_PROMPT_STATE,
  SB_DBFILE_PROMPT_LOG,
  SB_DBFILE_PAIRS,
  SB_DBFILE_ROOMS,      /* protocol, account, room */
  SB_DBFILE_ROOM_LINES, /* the room's key, time, speaker (null: the user), parent_time and
                           parent_speaker (null for a line that starts a thread; a null
                           parent_speaker with a parent_time is the user), confident,
                           source; never the digest */
  SB_DBFILE_TABLE_LAST
} SbDbFileTable;

/* "buddies", "events", ...: the table's name in an export. */
const char *sb_dbfile_table_name (SbDbFileTable table);

/* One column of a row: text (@text non-NULL), an integer, or null. */
typedef struct
{
  const char *name;
  const char *text;
  gint64 number;
  gboolean null; /* SQL NULL: no text, no number */
} SbDbFileValue;

/* Calls @func for every row of @table, in a stable order; the room tables of
 * a file older than them give no rows. */
typedef void (*SbDbFileRowFunc) (const SbDbFileValue *values, guint n_values, gpointer user_data);
gboolean sb_dbfile_foreach_row (SbDbFile *file, SbDbFileTable table, SbDbFileRowFunc func,
                                gpointer user_data, GError **error);

/* One room line as `merge` reads it: its room, and the line with its
 * digest (this file's secret's), speakers NULL for the user. */
typedef struct
{
  SbRoomKey room;
  SbRoomEntry line;
} SbDbFileRoomLine;

/* Appends every room line to @out (GArray of SbDbFileRoomLine), grouped by
 * room (ordered by its key), in time order within a room.  The strings are
 * copied into @strings (equal strings share one copy), which must outlive
 * @out.  Nothing for a file older than the room tables. */
gboolean sb_dbfile_load_room_lines (SbDbFile *file, GArray *out, GStringChunk *strings,
                                    GError **error);

/* TRUE when the file has the room tables (rooms, room_members, room_lines). */
gboolean sb_dbfile_has_rooms (SbDbFile *file);

/* Deletes the group-chat rows naming @key's buddy as a member, on its own
 * read-write connection to @path, in one transaction: the chat observations,
 * and in the room tables the member row and its lines; lines that answered
 * the buddy stay as lines that start a thread. */
gboolean sb_dbfile_forget_chat_member (const char *path, const SbBuddyKey *key, GError **error);

G_END_DECLS
