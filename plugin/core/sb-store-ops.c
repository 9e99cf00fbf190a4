/* sb-store-ops.c: what each queued operation writes, and the bulk insert.
 *
 * The writer (sb-store-writer.c) commits a batch of queued operations
 * (SbStoreOp) in one transaction; here each one becomes its row, its ids
 * turned from provisional to row ids through the batch's SbBatchIds
 * (sb-store-ids.c).  The bulk insert of a buddy's events, for the importer's
 * slow path, writes at once on the store's own connection and says which
 * events were new.
 */
#include "sb-store-private.h"

/* Adds the buddy, room or member queued as @op->buddy_id and remembers its
 * row id. */
static gboolean
write_row (SbConnection *connection, SbBatchIds *ids, const SbStoreOp *op, GError **error)
{
  SbBuddyKey *key = sb_store_provisional_key (ids->store, op->buddy_id);
  if (key == NULL)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "an unknown row was queued");
      return FALSE;
    }
  gint64 id = op->kind == OP_ROOM     ? sb_connection_add_room (connection, key, error)
              : op->kind == OP_MEMBER ? sb_connection_add_member (connection, key, error)
                                      : sb_connection_lookup_buddy (connection, key, TRUE, error);
  if (id == 0)
    return FALSE;
  sb_batch_ids_resolve (ids, op->buddy_id, id);
  return TRUE;
}

/* Inserts an event unless the same time, direction, kind and digest is
 * stored for the buddy; *@inserted (may be NULL) says whether a row was added. */
static gboolean
write_event (SbConnection *connection, gint64 buddy_id, const SbEvent *event, gboolean *inserted,
             GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_INSERT_EVENT,
    "INSERT OR IGNORE INTO events (buddy_id, time, direction, kind, digest, source, flags,"
    " size_bucket) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    error);
  if (!sb_store_bind (stmt, "IIiiIiii", buddy_id, event->time, (int) event->direction,
                      (int) event->kind, (gint64) event->digest, (int) event->source,
                      (int) event->flags, (int) event->size_bucket))
    return FALSE;
  if (!sb_store_step_done (stmt, "cannot save an event", error))
    return FALSE;
  if (inserted != NULL)
    *inserted = sqlite3_changes (connection->db) > 0;
  return TRUE;
}

/* @op's room line with its room and members as row ids. */
static gboolean
write_room_line (SbConnection *connection, SbBatchIds *ids, const SbStoreOp *op, GError **error)
{
  SbRoomLineOp line = op->room_line;
  line.room_id = sb_batch_ids_row_id (ids, line.room_id, error);
  line.speaker_id = line.room_id != 0 ? sb_batch_ids_row_id (ids, line.speaker_id, error) : 0;
  if (line.speaker_id == 0)
    return FALSE;
  if (line.parent_speaker_id != 0
      && (line.parent_speaker_id = sb_batch_ids_row_id (ids, line.parent_speaker_id, error)) == 0)
    return FALSE;
  return sb_store_write_room_line (connection, &line, error);
}

/* @op's prompt, answer, state, pair or chat event with its ids as row ids. */
static gboolean
write_planner_op (SbConnection *connection, SbBatchIds *ids, const SbStoreOp *op, GError **error)
{
  SbStoreOp resolved = *op;
  gboolean has_buddy = op->kind != OP_CHAT_EVENT && op->kind != OP_ANSWER_PROMPT;
  if (has_buddy && (resolved.buddy_id = sb_batch_ids_row_id (ids, op->buddy_id, error)) == 0)
    return FALSE;
  if (op->kind == OP_MARK_PAIR && (resolved.pair.other = sb_batch_ids_row_id (ids, op->pair.other, error)) == 0)
    return FALSE;
  if (op->kind == OP_ANSWER_PROMPT && (resolved.prompt.id = sb_batch_ids_row_id (ids, op->prompt.id, error)) == 0)
    return FALSE;
  gint64 row = 0;
  if (!sb_store_write_planner_op (connection, &resolved, &row, error))
    return FALSE;
  if (op->kind == OP_LOG_PROMPT)
    sb_batch_ids_resolve (ids, op->prompt.id, row);
  return TRUE;
}

static gboolean
write_op (SbConnection *connection, SbBatchIds *ids, const SbStoreOp *op, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  switch (op->kind)
    {
    case OP_BUDDY:
    case OP_ROOM:
    case OP_MEMBER:
      return write_row (connection, ids, op, error);
    case OP_ROOM_LINE:
      return write_room_line (connection, ids, op, error);
    case OP_CHAT_EVENT:
    case OP_LOG_PROMPT:
    case OP_ANSWER_PROMPT:
    case OP_PROMPT_STATE:
    case OP_MARK_PAIR:
      return write_planner_op (connection, ids, op, error);
    case OP_FILE_MARK:
      return sb_connection_set_file_mark (connection, op->file_mark.path, op->file_mark.size,
                                          op->file_mark.mtime, error);
    default:
      break;
    }
  gint64 buddy_id = sb_batch_ids_row_id (ids, op->buddy_id, error);
  if (buddy_id == 0)
    return FALSE;
  switch (op->kind)
    {
    case OP_EVENT:
      return write_event (connection, buddy_id, &op->event, NULL, error);

    case OP_SET_TRACKED:
      return sb_connection_set_tracked (connection, buddy_id, op->tracked, error);

    case OP_FLAG_AUTOMATED:
      return sb_connection_flag_automated (connection, buddy_id, op->flag.time, op->flag.digest,
                                           NULL, error);

    case OP_EPISODE:
      stmt = sb_connection_statement (
        connection, STMT_UPSERT_EPISODE,
        "INSERT INTO episodes (buddy_id, start, last, answered_at, initiator, messages_out,"
        " messages_in, turns_out, turns_in, last_dir, flags)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (buddy_id, start) DO UPDATE SET last = ?3, answered_at = ?4,"
        " initiator = ?5, messages_out = ?6, messages_in = ?7, turns_out = ?8, turns_in = ?9,"
        " last_dir = ?10, flags = ?11",
        error);
      return sb_store_bind (stmt, "IIIIiiiiiii", buddy_id, op->episode.start, op->episode.last,
                            op->episode.answered_at, (int) op->episode.initiator,
                            (int) op->episode.messages_out, (int) op->episode.messages_in,
                            (int) op->episode.turns_out, (int) op->episode.turns_in,
                            (int) op->episode.last_dir, (int) op->episode.flags)
             && sb_store_step_done (stmt, "cannot save an episode", error);

    case OP_DELETE_EPISODES:
      stmt = sb_connection_statement (connection, STMT_DELETE_EPISODES,
                                      "DELETE FROM episodes WHERE buddy_id = ?1 AND start >= ?2",
                                      error);
      return sb_store_bind (stmt, "II", buddy_id, op->since)
             && sb_store_step_done (stmt, "cannot replace episodes", error);

    case OP_SUMMARY:
      stmt = sb_connection_statement (
        connection, STMT_UPSERT_SUMMARY,
        "INSERT INTO summaries (buddy_id, episodes, started_by_you, started_by_them,"
        " answered_by_them, answered_by_you, messages_sent, messages_received, last_episode,"
        " last_you_started, last_event, automated)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (buddy_id) DO UPDATE SET episodes = ?2, started_by_you = ?3,"
        " started_by_them = ?4, answered_by_them = ?5, answered_by_you = ?6, messages_sent = ?7,"
        " messages_received = ?8, last_episode = ?9, last_you_started = ?10, last_event = ?11,"
        " automated = ?12",
        error);
      {
        const SbCounts *c = &op->summary.counts;
        return sb_store_bind (stmt, "IiiiiiiiIIIi", buddy_id, (int) c->episodes,
                              (int) c->started_by_you, (int) c->started_by_them,
                              (int) c->answered_by_them, (int) c->answered_by_you,
                              (int) c->messages_sent, (int) c->messages_received, c->last_episode,
                              c->last_you_started, op->summary.last_event, (int) c->automated)
               && sb_store_step_done (stmt, "cannot save a summary", error);
      }

    default:
      break;
    }
  g_assert_not_reached ();
}

gboolean
sb_store_write_op_list (SbConnection *connection, SbBatchIds *ids, const SbStoreOp *ops, guint n,
                        GError **error)
{
  for (guint i = 0; i < n; i++)
    if (!write_op (connection, ids, &ops[i], error))
      return FALSE;
  return TRUE;
}

/* A batch of queued operations, for sb_connection_transaction(). */
typedef struct
{
  const SbStoreOp *ops;
  guint n;
  SbBatchIds ids;
} OpBatch;

static gboolean
write_batch (SbConnection *connection, gpointer data, GError **error)
{
  OpBatch *batch = data;
  return sb_store_write_op_list (connection, &batch->ids, batch->ops, batch->n, error);
}

gboolean
sb_store_write_ops (SbStore *store, SbConnection *connection, const SbStoreOp *ops, guint n,
                    GError **error)
{
  OpBatch batch = { ops, n, { 0 } };
  sb_batch_ids_init (&batch.ids, store);
  gboolean ok = sb_connection_transaction (connection, write_batch, &batch, error);
  if (ok)
    sb_batch_ids_publish (&batch.ids);
  sb_batch_ids_clear (&batch.ids);
  return ok;
}

/* A bulk insert and what it found, for sb_connection_transaction(). */
typedef struct
{
  gint64 buddy_id;
  const SbEvent *events;
  guint n;
  gboolean *inserted; /* may be NULL */
  guint added;
  gint64 earliest;
} EventBatch;

static gboolean
insert_batch (SbConnection *connection, gpointer data, GError **error)
{
  EventBatch *batch = data;
  for (guint i = 0; i < batch->n; i++)
    {
      gboolean inserted = FALSE;
      if (!write_event (connection, batch->buddy_id, &batch->events[i], &inserted, error))
        return FALSE;
      if (batch->inserted != NULL)
        batch->inserted[i] = inserted;
      if (inserted)
        {
          batch->added++;
          batch->earliest = MIN (batch->earliest, batch->events[i].time);
        }
    }
  return TRUE;
}

gboolean
sb_store_insert_events (SbStore *store, gint64 buddy_id, const SbEvent *events, guint n,
                        guint *n_new, gint64 *earliest_new, gboolean *inserted_flags,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (events != NULL || n == 0, FALSE);
  g_return_val_if_fail (n_new != NULL && earliest_new != NULL, FALSE);

  *n_new = 0;
  *earliest_new = G_MAXINT64;
  if (!sb_store_flush (store, error))
    return FALSE;
  buddy_id = sb_store_row_id (store, buddy_id);
  if (buddy_id == 0)
    {
      g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "the buddy is not saved yet");
      return FALSE;
    }
  EventBatch batch = { buddy_id, events, n, inserted_flags, 0, G_MAXINT64 };
  if (!sb_connection_transaction (&store->main, insert_batch, &batch, error))
    return FALSE;
  *n_new = batch.added;
  *earliest_new = batch.earliest;
  return TRUE;
}
