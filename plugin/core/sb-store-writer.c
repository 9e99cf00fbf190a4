/* sb-store-writer.c: the write queue, and the thread that commits it.
 *
 * Live events, episodes, summaries and room lines are queued in memory (SbStoreOp) and
 * committed together in one IMMEDIATE transaction: WAL with
 * synchronous=NORMAL makes a commit cost no fsync, so a flush every few
 * seconds is cheap and a crash loses at most that much.  A file database
 * commits on a writer thread with its own connection, so the caller's thread
 * never waits on the disk; ":memory:" commits in the caller's thread.  A
 * failed commit puts its batch back in front of the queue: nothing recorded
 * is lost and order is kept.  Bulk inserts (log import) bypass the queue.
 */
#include "sb-store-private.h"

/* The background writer.  Everything below @lock is shared with the writer
 * thread. */
struct _SbWriter
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
};

void
sb_store_queue_op (SbStore *store, const SbStoreOp *op)
{
  g_array_append_vals (store->queue, op, 1);
}

void
sb_store_queue_event (SbStore *store, gint64 buddy_id, const SbEvent *event)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (event != NULL);
  sb_store_queue_op (store, &(SbStoreOp){ .kind = OP_EVENT, .buddy_id = buddy_id, .event = *event });
}

void
sb_store_queue_episode (SbStore *store, gint64 buddy_id, const SbEpisode *episode)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (episode != NULL);
  sb_store_queue_op (store, &(SbStoreOp){ .kind = OP_EPISODE, .buddy_id = buddy_id, .episode = *episode });
}

void
sb_store_queue_delete_episodes (SbStore *store, gint64 buddy_id, gint64 since)
{
  g_return_if_fail (store != NULL);
  sb_store_queue_op (store,
            &(SbStoreOp){ .kind = OP_DELETE_EPISODES, .buddy_id = buddy_id, .since = since });
}

void
sb_store_queue_summary (SbStore *store, gint64 buddy_id, const SbCounts *all, gint64 last_event)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (all != NULL);
  SbStoreOp op = { .kind = OP_SUMMARY, .buddy_id = buddy_id };
  op.summary.counts = *all;
  op.summary.last_event = last_event;
  sb_store_queue_op (store, &op);
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
  if (!sb_store_step_done (stmt, "cannot save an event", error))
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
      stmt = sb_connection_statement (
        connection, STMT_UPSERT_EPISODE,
        "INSERT INTO episodes (buddy_id, start, last, answered_at, initiator, messages_out,"
        " messages_in, turns_out, turns_in, last_dir, flags)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (buddy_id, start) DO UPDATE SET last = ?3, answered_at = ?4,"
        " initiator = ?5, messages_out = ?6, messages_in = ?7, turns_out = ?8, turns_in = ?9,"
        " last_dir = ?10, flags = ?11",
        error);
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
      return sb_store_step_done (stmt, "cannot save an episode", error);

    case OP_DELETE_EPISODES:
      stmt = sb_connection_statement (connection, STMT_DELETE_EPISODES,
                                      "DELETE FROM episodes WHERE buddy_id = ?1 AND start >= ?2",
                                      error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, op->buddy_id);
      sqlite3_bind_int64 (stmt, 2, op->since);
      return sb_store_step_done (stmt, "cannot replace episodes", error);

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
      return sb_store_step_done (stmt, "cannot save a summary", error);

    case OP_ROOM_LINE:
      return sb_store_write_room_line (connection, &op->room_line, error);
    }
  g_assert_not_reached ();
}

/* A batch of queued operations, for sb_connection_transaction(). */
typedef struct
{
  const SbStoreOp *ops;
  guint n;
} OpBatch;

static gboolean
write_batch (SbConnection *connection, gpointer data, GError **error)
{
  const OpBatch *batch = data;
  for (guint i = 0; i < batch->n; i++)
    if (!write_op (connection, &batch->ops[i], error))
      return FALSE;
  return TRUE;
}

/* Runs @ops in one IMMEDIATE transaction on @connection; all or nothing. */
static gboolean
write_ops (SbConnection *connection, const SbStoreOp *ops, guint n, GError **error)
{
  OpBatch batch = { ops, n };
  return sb_connection_transaction (connection, write_batch, &batch, error);
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

gboolean
sb_store_writer_start (SbStore *store, GError **error)
{
  SbWriter *writer = g_new0 (SbWriter, 1);
  if (!sb_connection_open (&writer->connection, store->path, error)
      || !sb_connection_exec (&writer->connection, "PRAGMA synchronous = NORMAL", error)
      || !sb_connection_exec (&writer->connection, "PRAGMA foreign_keys = ON", error))
    {
      sb_connection_close (&writer->connection);
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

void
sb_store_writer_stop (SbWriter *writer)
{
  g_mutex_lock (&writer->lock);
  writer->stop = TRUE;
  g_cond_broadcast (&writer->cond);
  g_mutex_unlock (&writer->lock);
  g_thread_join (writer->thread);
  sb_connection_close (&writer->connection);
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
  g_return_val_if_fail (store != NULL, FALSE);
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
  g_return_val_if_fail (store != NULL, FALSE);
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

/* TRUE when the writer holds nothing, once what it is writing is done. */
static gboolean
writer_is_idle (SbWriter *writer)
{
  g_mutex_lock (&writer->lock);
  while (writer->kick || writer->writing)
    g_cond_wait (&writer->cond, &writer->lock);
  gboolean idle = writer->handoff->len == 0;
  g_mutex_unlock (&writer->lock);
  return idle;
}

/* The queue, then the caller's writes, for sb_connection_transaction(). */
typedef struct
{
  SbStore *store;
  OpBatch batch;
  SbStoreWriteFunc then;
  gpointer data;
} FlushThen;

static gboolean
write_batch_then (SbConnection *connection, gpointer data, GError **error)
{
  FlushThen *ft = data;
  return write_batch (connection, &ft->batch, error) && ft->then (ft->store, ft->data, error);
}

gboolean
sb_store_flush_then (SbStore *store, SbStoreWriteFunc then, gpointer data, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (then != NULL, FALSE);

  /* what the writer still holds (a failed commit) goes first, in order */
  if (store->writer != NULL && !writer_is_idle (store->writer) && !sb_store_flush (store, error))
    return FALSE;
  FlushThen ft = { store, { (const SbStoreOp *) store->queue->data, store->queue->len }, then,
                   data };
  if (!sb_connection_transaction (&store->main, write_batch_then, &ft, error))
    return FALSE; /* the queue is kept for the next try */
  g_array_set_size (store->queue, 0);
  return TRUE;
}

guint
sb_store_pending (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  guint pending = store->queue->len;
  if (store->writer != NULL)
    {
      g_mutex_lock (&store->writer->lock);
      pending += store->writer->handoff->len + (store->writer->writing ? 1 : 0);
      g_mutex_unlock (&store->writer->lock);
    }
  return pending;
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
  EventBatch batch = { buddy_id, events, n, inserted_flags, 0, G_MAXINT64 };
  if (!sb_connection_transaction (&store->main, insert_batch, &batch, error))
    return FALSE;
  *n_new = batch.added;
  *earliest_new = batch.earliest;
  return TRUE;
}
