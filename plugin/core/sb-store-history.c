/* sb-store-history.c: reading and editing the stored history of each buddy.
 *
 * Buddies, their events, episodes and summaries as the ledger loads them at
 * start-up and when it re-segments; "don't track" and "forget"; the marking of
 * automated texts; and the log import's bookkeeping of files already read.
 * Reads flush the write queue first wherever they could miss a queued write.
 * Writes of live events go through the queue (sb-store-writer.c), not here.
 */
#include "sb-store-private.h"

#include <string.h>

/* Adds @key to buddies on @connection; its new id, 0 with @error.  Another
 * process may have added it since the lookup: then that row is the buddy. */
static gint64
insert_buddy (SbConnection *connection, const SbBuddyKey *key, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_INSERT_BUDDY,
    "INSERT INTO buddies (protocol, account, buddy) VALUES (?1, ?2, ?3)", error);
  if (!sb_store_bind (stmt, "sss", key->protocol, key->account, key->buddy)
      || !sb_store_step_done (stmt, "cannot add a buddy", error))
    return 0;
  return sqlite3_last_insert_rowid (connection->db);
}

gint64
sb_connection_lookup_buddy (SbConnection *connection, const SbBuddyKey *key, gboolean create,
                            GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_LOOKUP_BUDDY,
    "SELECT id FROM buddies WHERE protocol = ?1 AND account = ?2 AND buddy = ?3", error);
  if (!sb_store_bind (stmt, "sss", key->protocol, key->account, key->buddy))
    return 0;
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      return id;
    }
  if (!sb_store_rows_done (stmt, rc, "cannot look up a buddy", error) || !create)
    return 0;
  return insert_buddy (connection, key, error);
}

gint64
sb_store_lookup_buddy (SbStore *store, const SbBuddyKey *key, gboolean create, GError **error)
{
  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);

  return sb_connection_lookup_buddy (&store->main, key, create, error);
}

/* The committed row id of @buddy_id after a flush, for an immediate write;
 * 0 with @error when it has none. */
static gint64
committed_row_id (SbStore *store, gint64 buddy_id, GError **error)
{
  gint64 id = sb_store_row_id (store, buddy_id);
  if (id == 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "the buddy is not saved yet");
  return id;
}

/* The stored summary at the current row of the buddy list: columns 5.. */
static SbCounts
counts_from_row (sqlite3_stmt *stmt)
{
  return (SbCounts){
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
}

gboolean
sb_store_foreach_buddy (SbStore *store, SbStoreBuddyFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!sb_store_flush (store, error))
    return FALSE;
  /* Not the cached statement: @func may call back into the store. */
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    "SELECT b.id, b.protocol, b.account, b.buddy, b.tracked, s.episodes, s.started_by_you,"
    " s.started_by_them, s.answered_by_them, s.answered_by_you, s.messages_sent,"
    " s.messages_received, s.last_episode, s.last_you_started, s.last_event, s.automated"
    " FROM buddies b LEFT JOIN summaries s ON s.buddy_id = b.id ORDER BY b.id",
    "cannot list buddies", error);
  if (stmt == NULL)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbBuddyKey key = {
        .protocol = (char *) sqlite3_column_text (stmt, 1),
        .account = (char *) sqlite3_column_text (stmt, 2),
        .buddy = (char *) sqlite3_column_text (stmt, 3),
      };
      SbCounts all = counts_from_row (stmt);
      if (!func (sqlite3_column_int64 (stmt, 0), &key, &all, sqlite3_column_int64 (stmt, 14),
                 sqlite3_column_int (stmt, 4) != FALSE, user_data))
        return TRUE;
    }
  return sb_store_rows_done (stmt, rc, "cannot list buddies", error);
}

/* A stored direction; anything but "in" (a hand-edited file) reads as "out". */
static SbDirection
direction_from_column (sqlite3_stmt *stmt, int column)
{
  return sqlite3_column_int (stmt, column) == SB_DIRECTION_IN ? SB_DIRECTION_IN : SB_DIRECTION_OUT;
}

/* Appends the episode at the current row of the episode load to @out.  Set
 * field by field on a zeroed struct, so the padding is zero too and a stored
 * episode compares equal, byte for byte, to the one written. */
static void
append_episode (sqlite3_stmt *stmt, GArray *out)
{
  SbEpisode episode;
  memset (&episode, 0, sizeof episode);
  episode.start = sqlite3_column_int64 (stmt, 0);
  episode.last = sqlite3_column_int64 (stmt, 1);
  episode.answered_at = sqlite3_column_int64 (stmt, 2);
  episode.initiator = direction_from_column (stmt, 3);
  episode.messages_out = sqlite3_column_int (stmt, 4);
  episode.messages_in = sqlite3_column_int (stmt, 5);
  episode.turns_out = sqlite3_column_int (stmt, 6);
  episode.turns_in = sqlite3_column_int (stmt, 7);
  episode.last_dir = direction_from_column (stmt, 8);
  episode.flags = sqlite3_column_int (stmt, 9);
  g_array_append_val (out, episode);
}

/* Appends the value at the current row of @stmt to @out. */
typedef void (*SbRowFunc) (sqlite3_stmt *stmt, GArray *out);

/* Flushes when @flush (else reads what is committed), then runs the cached
 * statement @which (@sql, bound ?1 = buddy, ?2 = since, ?3 = until,
 * exclusive) and appends every row to @out with @append_row.  A buddy not
 * committed yet has no rows. */
static gboolean
load_range (SbStore *store, gboolean flush, SbStmt which, const char *sql, gint64 buddy_id,
            gint64 since, gint64 until, SbRowFunc append_row, GArray *out, const char *what,
            GError **error)
{
  if (flush && !sb_store_flush (store, error))
    return FALSE;
  buddy_id = sb_store_row_id (store, buddy_id);
  if (buddy_id == 0)
    return TRUE;
  sqlite3_stmt *stmt = sb_store_statement (store, which, sql, error);
  if (!sb_store_bind (stmt, "III", buddy_id, since, until))
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    append_row (stmt, out);
  return sb_store_rows_done (stmt, rc, what, error);
}

static gboolean
episodes_since (SbStore *store, gboolean flush, gint64 buddy_id, gint64 since, GArray *out,
                GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return load_range (
    store, flush, STMT_LOAD_EPISODES,
    "SELECT start, last, answered_at, initiator, messages_out, messages_in, turns_out, turns_in,"
    " last_dir, flags FROM episodes WHERE buddy_id = ?1 AND start >= ?2 AND start < ?3"
    " ORDER BY start",
    buddy_id, since, G_MAXINT64, append_episode, out, "cannot load episodes", error);
}

gboolean
sb_store_load_episodes (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  return episodes_since (store, TRUE, buddy_id, since, out, error);
}

gboolean
sb_store_read_episodes (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  return episodes_since (store, FALSE, buddy_id, since, out, error);
}

/* Appends the event at the current row of the event load to @out, zeroed
 * first as append_episode() does.  Values outside the enums (a hand-edited
 * file) read as the harmless "system". */
static void
append_event (sqlite3_stmt *stmt, GArray *out)
{
  int kind = sqlite3_column_int (stmt, 2);
  SbEvent event;
  memset (&event, 0, sizeof event);
  event.time = sqlite3_column_int64 (stmt, 0);
  event.direction = direction_from_column (stmt, 1);
  event.kind = kind >= 0 && kind < SB_EVENT_KIND_LAST ? (SbEventKind) kind : SB_EVENT_SYSTEM;
  event.digest = (guint64) sqlite3_column_int64 (stmt, 3);
  event.source = sqlite3_column_int (stmt, 4) == SB_SOURCE_IMPORT ? SB_SOURCE_IMPORT : SB_SOURCE_LIVE;
  event.flags = sqlite3_column_int (stmt, 5);
  event.size_bucket = sqlite3_column_int (stmt, 6);
  g_array_append_val (out, event);
}

static gboolean events_between (SbStore *store, gboolean flush, gint64 buddy_id, gint64 since,
                                gint64 until, GArray *out, GError **error);

gboolean
sb_store_load_events (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  return sb_store_load_events_between (store, buddy_id, since, G_MAXINT64, out, error);
}

gboolean
sb_store_read_events (SbStore *store, gint64 buddy_id, gint64 since, GArray *out, GError **error)
{
  return events_between (store, FALSE, buddy_id, since, G_MAXINT64, out, error);
}

gboolean
sb_store_load_events_between (SbStore *store, gint64 buddy_id, gint64 since, gint64 until,
                              GArray *out, GError **error)
{
  return events_between (store, TRUE, buddy_id, since, until, out, error);
}

static gboolean
events_between (SbStore *store, gboolean flush, gint64 buddy_id, gint64 since, gint64 until,
                GArray *out, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return load_range (
    store, flush, STMT_LOAD_EVENTS,
    "SELECT time, direction, kind, digest, source, flags, size_bucket FROM events"
    " WHERE buddy_id = ?1 AND time >= ?2 AND time < ?3 ORDER BY time, direction, kind, digest",
    buddy_id, since, until, append_event, out, "cannot load events", error);
}

static gboolean
last_episode_start (SbStore *store, gboolean flush, gint64 buddy_id, gint64 before, int initiator,
                    gint64 *start, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (start != NULL, FALSE);

  *start = 0;
  if (flush && !sb_store_flush (store, error))
    return FALSE;
  buddy_id = sb_store_row_id (store, buddy_id);
  if (buddy_id == 0)
    return TRUE;
  /* ?3 < 0: any initiator. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_LAST_EPISODE_START,
    "SELECT max(start) FROM episodes WHERE buddy_id = ?1 AND start <= ?2"
    " AND (?3 < 0 OR initiator = ?3)",
    error);
  return sb_store_bind (stmt, "IIi", buddy_id, before, initiator)
         && sb_store_query_row (stmt, start, 1, "cannot find an episode", error);
}

gboolean
sb_store_last_episode_start (SbStore *store, gint64 buddy_id, gint64 before, int initiator,
                             gint64 *start, GError **error)
{
  return last_episode_start (store, TRUE, buddy_id, before, initiator, start, error);
}

gboolean
sb_store_read_last_episode_start (SbStore *store, gint64 buddy_id, gint64 before, int initiator,
                                  gint64 *start, GError **error)
{
  return last_episode_start (store, FALSE, buddy_id, before, initiator, start, error);
}

gboolean
sb_connection_set_tracked (SbConnection *connection, gint64 buddy_id, gboolean tracked,
                           GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_SET_TRACKED, "UPDATE buddies SET tracked = ?2 WHERE id = ?1", error);
  return sb_store_bind (stmt, "Ii", buddy_id, tracked ? TRUE : FALSE)
         && sb_store_step_done (stmt, "cannot change tracking", error);
}

gboolean
sb_store_set_tracked (SbStore *store, gint64 buddy_id, gboolean tracked, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  sb_store_queue_op (store, &(SbStoreOp){ .kind = OP_SET_TRACKED, .buddy_id = buddy_id,
                                          .tracked = tracked });
  return store->nonblocking || sb_store_flush (store, error);
}

/* Deletes the buddy's room lines, then the buddy: every other row about the
 * buddy goes with it (ON DELETE CASCADE).  For sb_connection_transaction(). */
static gboolean
forget_rows (SbConnection *connection, gpointer data, GError **error)
{
  gint64 buddy_id = *(const gint64 *) data;
  if (!sb_store_forget_room_member (connection, buddy_id, error))
    return FALSE;
  sqlite3_stmt *stmt = sb_connection_statement (connection, STMT_FORGET_BUDDY,
                                                "DELETE FROM buddies WHERE id = ?1", error);
  return sb_store_bind (stmt, "I", buddy_id)
         && sb_store_step_done (stmt, "cannot forget the buddy", error);
}

gboolean
sb_store_forget_buddy (SbStore *store, gint64 buddy_id, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!sb_store_flush (store, error))
    return FALSE;
  buddy_id = committed_row_id (store, buddy_id, error);
  if (buddy_id == 0)
    return FALSE;
  /* everything queued is committed: what was queued under provisional ids
   * is looked up again (the buddy's member rows go) */
  g_hash_table_remove_all (store->queued_ids);
  return sb_connection_transaction (&store->main, forget_rows, &buddy_id, error);
}

gboolean
sb_store_get_file_mark (SbStore *store, const char *path, gint64 *size, gint64 *mtime,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (size != NULL && mtime != NULL, FALSE);

  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_GET_FILE_MARK, "SELECT size, mtime FROM imported_files WHERE path = ?1", error);
  if (!sb_store_bind (stmt, "s", path))
    return FALSE;
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *size = sqlite3_column_int64 (stmt, 0);
      *mtime = sqlite3_column_int64 (stmt, 1);
      sqlite3_reset (stmt);
      return TRUE;
    }
  (void) sb_store_rows_done (stmt, rc, "cannot read import marks", error);
  return FALSE;
}

gboolean
sb_connection_set_file_mark (SbConnection *connection, const char *path, gint64 size,
                             gint64 mtime, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_SET_FILE_MARK,
    "INSERT INTO imported_files (path, size, mtime) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (path) DO UPDATE SET size = ?2, mtime = ?3",
    error);
  return sb_store_bind (stmt, "sII", path, size, mtime)
         && sb_store_step_done (stmt, "cannot save an import mark", error);
}

gboolean
sb_store_set_file_mark (SbStore *store, const char *path, gint64 size, gint64 mtime,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return sb_connection_set_file_mark (&store->main, path, size, mtime, error);
}

gboolean
sb_store_last_event_time (SbStore *store, gint64 buddy_id, gint64 *time, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (time != NULL, FALSE);

  *time = 0;
  buddy_id = sb_store_row_id (store, buddy_id);
  if (buddy_id == 0)
    return TRUE; /* queued, not written yet: no rows */
  /* the events' primary key starts with (buddy_id, time): one seek */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_LAST_EVENT_TIME, "SELECT max (time) FROM events WHERE buddy_id = ?1", error);
  if (!sb_store_bind (stmt, "I", buddy_id))
    return FALSE;
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return sb_store_rows_done (stmt, rc, "cannot read the latest event", error);
  *time = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
sb_connection_flag_automated (SbConnection *connection, gint64 buddy_id, gint64 time,
                              guint64 digest, gboolean *changed, GError **error)
{
  /* ?4: SB_EVENT_FLAG_AUTOMATED; ?5, ?6: a received text. */
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_FLAG_AUTOMATED,
    "UPDATE events SET flags = flags | ?4 WHERE buddy_id = ?1 AND time = ?2 AND direction = ?5"
    " AND kind = ?6 AND digest = ?3 AND flags & ?4 = 0",
    error);
  if (!sb_store_bind (stmt, "IIIiii", buddy_id, time, (gint64) digest, SB_EVENT_FLAG_AUTOMATED,
                      SB_DIRECTION_IN, SB_EVENT_MESSAGE)
      || !sb_store_step_done (stmt, "cannot mark a message automated", error))
    return FALSE;
  if (changed != NULL)
    *changed = sqlite3_changes (connection->db) > 0;
  return TRUE;
}

gboolean
sb_store_flag_automated (SbStore *store, gint64 buddy_id, gint64 time, guint64 digest,
                         gboolean *changed, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (changed != NULL, FALSE);

  *changed = FALSE;
  if (!sb_store_flush (store, error))
    return FALSE;
  buddy_id = committed_row_id (store, buddy_id, error);
  if (buddy_id == 0)
    return FALSE;
  return sb_connection_flag_automated (&store->main, buddy_id, time, digest, changed, error);
}

/* Steps @stmt, whose rows are (buddy_id, time, digest, flags), into @func. */
static gboolean
texts_to_func (sqlite3_stmt *stmt, SbStoreTextFunc func, gpointer user_data, const char *what,
               GError **error)
{
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
          (guint64) sqlite3_column_int64 (stmt, 2), (guint) sqlite3_column_int (stmt, 3), user_data);
  return sb_store_rows_done (stmt, rc, what, error);
}

gboolean
sb_store_foreach_repeated_text (SbStore *store, guint min_buddies, guint min_size,
                                SbStoreTextFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!sb_store_flush (store, error))
    return FALSE;
  /* Not the cached statement: @func may call back into the store.  ?3, ?4: a
   * received text; digest 0 means "unknown" (SbEvent), never a repeat. */
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    "SELECT buddy_id, time, digest, flags FROM events WHERE direction = ?3 AND kind = ?4"
    " AND digest IN (SELECT digest FROM events WHERE direction = ?3 AND kind = ?4"
    "   AND digest != 0 AND size_bucket >= ?2 GROUP BY digest"
    "   HAVING count(DISTINCT buddy_id) >= ?1)"
    " ORDER BY digest, time",
    "cannot look for repeated texts", error);
  return sb_store_bind (stmt, "iiii", (int) min_buddies, (int) min_size, SB_DIRECTION_IN,
                        SB_EVENT_MESSAGE)
         && texts_to_func (stmt, func, user_data, "cannot look for repeated texts", error);
}

gboolean
sb_store_foreach_received_text (SbStore *store, guint min_size, gint64 since, gint64 until,
                                SbStoreTextFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!sb_store_flush (store, error))
    return FALSE;
  /* Not the cached statement: @func may call back into the store.  ?4, ?5: a
   * received text; digest 0 means "unknown" (SbEvent), never a repeat.  One
   * pass in table order, no sort: the caller picks and orders the rows. */
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    "SELECT buddy_id, time, digest, flags FROM events WHERE direction = ?4 AND kind = ?5"
    " AND digest != 0 AND size_bucket >= ?1 AND time >= ?2 AND time <= ?3",
    "cannot look for received texts", error);
  return sb_store_bind (stmt, "iIIii", (int) min_size, since, until, SB_DIRECTION_IN,
                        SB_EVENT_MESSAGE)
         && texts_to_func (stmt, func, user_data, "cannot look for received texts", error);
}

gboolean
sb_store_has_received_text (SbStore *store, guint min_size, gboolean *found, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (found != NULL, FALSE);

  *found = FALSE;
  if (!sb_store_flush (store, error))
    return FALSE;
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    "SELECT 1 FROM events WHERE direction = ?2 AND kind = ?3 AND digest != 0"
    " AND size_bucket >= ?1 LIMIT 1",
    "cannot look for received texts", error);
  if (!sb_store_bind (stmt, "iii", (int) min_size, SB_DIRECTION_IN, SB_EVENT_MESSAGE))
    return FALSE;
  int rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || sb_store_rows_done (stmt, rc, "cannot look for received texts", error);
}

gboolean
sb_store_set_texts_unchecked (SbStore *store, gboolean unchecked, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    unchecked ? "INSERT OR REPLACE INTO meta (key, value) VALUES ('texts-unchecked', 1)"
              : "DELETE FROM meta WHERE key = 'texts-unchecked'",
    "cannot mark the texts to check", error);
  return stmt != NULL && sb_store_step_done (stmt, "cannot mark the texts to check", error);
}

gboolean
sb_store_get_texts_unchecked (SbStore *store, gboolean *unchecked, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (unchecked != NULL, FALSE);

  *unchecked = FALSE;
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store, "SELECT 1 FROM meta WHERE key = 'texts-unchecked'", "cannot read the texts to check",
    error);
  if (stmt == NULL)
    return FALSE;
  int rc = sqlite3_step (stmt);
  *unchecked = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || sb_store_rows_done (stmt, rc, "cannot read the texts to check", error);
}
