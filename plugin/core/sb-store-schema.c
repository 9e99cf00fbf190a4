/* sb-store-schema.c: the tables of smileback.db and how an older file gets them.
 *
 * PRAGMA user_version says which steps a file has had.  Each step takes it
 * from version i to i + 1 in one transaction together with the bump of
 * user_version, so a file is never half migrated; a file newer than
 * SB_STORE_SCHEMA_VERSION is refused and left untouched.
 *
 * Tables: meta (the secret, the clean mark); buddies; events, one row per
 * line and never its text, keyed so that the same message seen twice is one
 * row; episodes, the segmentation, kept so that nothing replays events to
 * answer a question; summaries, exact all-time counts loaded at start-up;
 * imported_files, so a log import resumes; chat_events; prompt_state and
 * prompt_log, the planner's memory; pairs, for introductions; rooms,
 * room_members and room_lines, who answered whom in group chats.
 */
#include "sb-store-file-private.h"
#include "sb-store-private.h"
#include "smileback/sb-planner.h"

/* The literals the schema text holds, tied to their C meaning:
 * buddies.tracked defaults to TRUE; prompt_log.answer and answered_at default
 * to 0, "not answered yet" (SB_ANSWER_NONE); summaries.automated to none. */
G_STATIC_ASSERT (TRUE == 1);
G_STATIC_ASSERT (SB_ANSWER_NONE == 0);

typedef struct
{
  const char *sql;  /* the step's tables and indexes */
  const char *bump; /* "PRAGMA user_version = i + 1" (a PRAGMA takes no ?N); checked when run */
} Migration;

/* Never edit a step that has shipped: add one. */
static const Migration migrations[] = {
  /* 0 -> 1: the first schema. */
  { "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);"
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
    "PRAGMA user_version = 1" },

  /* 1 -> 2: "don't track", log import bookkeeping, group chats. */
  { "ALTER TABLE buddies ADD COLUMN tracked INTEGER NOT NULL DEFAULT 1;"
    "CREATE TABLE imported_files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    "  mtime INTEGER NOT NULL);"
    /* The key columns come first and in key order: SQLite 3.40's quick_check
     * misreports a WITHOUT ROWID table whose key skips a column ("NULL value"). */
    "CREATE TABLE chat_events (protocol TEXT NOT NULL, account TEXT NOT NULL,"
    "  room TEXT NOT NULL, member TEXT NOT NULL, kind INTEGER NOT NULL,"
    "  time INTEGER NOT NULL, source INTEGER NOT NULL,"
    "  PRIMARY KEY (protocol, account, room, member, kind, time)) WITHOUT ROWID;"
    "CREATE INDEX chat_events_member ON chat_events (protocol, account, member);",
    "PRAGMA user_version = 2" },

  /* 2 -> 3: the planner's memory: snoozes and mutes, and every prompt shown. */
  { "CREATE TABLE prompt_state (buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL, snoozed_until INTEGER NOT NULL, muted INTEGER NOT NULL,"
    "  PRIMARY KEY (buddy_id, kind)) WITHOUT ROWID;"
    "CREATE TABLE prompt_log (id INTEGER PRIMARY KEY,"
    "  buddy_id INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL, shown_at INTEGER NOT NULL, answer INTEGER NOT NULL DEFAULT 0,"
    "  answered_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX prompt_log_shown ON prompt_log (shown_at);",
    "PRAGMA user_version = 3" },

  /* 3 -> 4: how many automated messages a buddy sent (for the tooltip). */
  { "ALTER TABLE summaries ADD COLUMN automated INTEGER NOT NULL DEFAULT 0;",
    "PRAGMA user_version = 4" },

  /* 4 -> 5: pairs for introductions ("they know each other", "introduced"). */
  { "CREATE TABLE pairs (buddy_a INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  buddy_b INTEGER NOT NULL REFERENCES buddies (id) ON DELETE CASCADE,"
    "  mark INTEGER NOT NULL, time INTEGER NOT NULL,"
    "  PRIMARY KEY (buddy_a, buddy_b, mark)) WITHOUT ROWID;"
    "CREATE INDEX chat_events_room ON chat_events (protocol, account, room, kind);",
    "PRAGMA user_version = 5" },

  /* 5 -> 6: group-chat lines as metadata (docs/design.md, "Group chats"):
   * rooms; the members seen in them, per account ('' is the user); and one
   * row per room message, never its text: when, who, the keyed digest that
   * makes a line seen live and again through import one row, and the line it
   * answers (its parent's time and speaker, NULL when it starts a thread). */
  { "CREATE TABLE rooms (id INTEGER PRIMARY KEY, protocol TEXT NOT NULL,"
    "  account TEXT NOT NULL, room TEXT NOT NULL, UNIQUE (protocol, account, room));"
    "CREATE TABLE room_members (id INTEGER PRIMARY KEY, protocol TEXT NOT NULL,"
    "  account TEXT NOT NULL, member TEXT NOT NULL, UNIQUE (protocol, account, member));"
    "CREATE TABLE room_lines (id INTEGER PRIMARY KEY,"
    "  room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,"
    "  time INTEGER NOT NULL,"
    "  speaker_id INTEGER NOT NULL REFERENCES room_members (id) ON DELETE CASCADE,"
    "  digest INTEGER NOT NULL, parent_time INTEGER,"
    "  parent_speaker_id INTEGER REFERENCES room_members (id) ON DELETE SET NULL,"
    "  confident INTEGER NOT NULL, source INTEGER NOT NULL,"
    "  UNIQUE (room_id, time, speaker_id, digest));"
    "CREATE INDEX room_lines_speaker ON room_lines (speaker_id, parent_speaker_id, time);"
    "CREATE INDEX room_lines_parent ON room_lines (parent_speaker_id);",
    "PRAGMA user_version = 6" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SB_STORE_SCHEMA_VERSION);

/* The user_version of the open file. */
static gboolean
read_version (SbStore *store, gint64 *version, GError **error)
{
  return sb_store_query_int (store, "PRAGMA user_version", version, error);
}

/* Runs one step and its bump, and checks the bump says @data's version. */
static gboolean
run_step (SbConnection *connection, gpointer data, GError **error)
{
  SbStore *store = data;
  gint64 before = 0, after = 0;
  if (!read_version (store, &before, error))
    return FALSE;
  const Migration *step = &migrations[before];
  if (!sb_connection_exec (connection, step->sql, error)
      || !sb_connection_exec (connection, step->bump, error) || !read_version (store, &after, error))
    return FALSE;
  if (after != before + 1)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED,
                   "step %" G_GINT64_FORMAT " sets user_version %" G_GINT64_FORMAT, before, after);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_store_migrate (SbStore *store, GError **error)
{
  gint64 version = 0;
  if (!read_version (store, &version, error))
    return FALSE;
  if (version > SB_STORE_SCHEMA_VERSION)
    {
      sb_store_file_set_too_new (store->path, version, error);
      return FALSE;
    }

  for (gint64 v = version; v < SB_STORE_SCHEMA_VERSION; v++)
    {
      g_autoptr (GError) local = NULL;
      if (!sb_connection_transaction (&store->main, run_step, store, &local))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      "cannot migrate to schema %" G_GINT64_FORMAT ": ", v + 1);
          return FALSE;
        }
    }
  store->schema_version = SB_STORE_SCHEMA_VERSION;
  return TRUE;
}
