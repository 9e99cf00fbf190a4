/* sb-store-writer.c: the write queue, and the thread that commits it.
 *
 * Live events, episodes, summaries, room lines, new buddies and automated
 * marks are queued in memory (SbStoreOp) and committed together in one
 * IMMEDIATE transaction: WAL with synchronous=NORMAL makes a commit cost no
 * fsync.  A file database's operations go straight to a writer thread with
 * its own connection, which commits them SB_STORE_COMMIT_DELAY_MS after the
 * first of them arrived, by itself, so the caller's thread never waits on the
 * disk nor runs a timer for it, and a killed process loses at most that
 * much.  ":memory:" commits in the caller's thread at each flush.  A failed
 * commit (the file locked by another process, the disk full) puts its batch
 * back in front of the queue, so nothing recorded is lost and order is kept,
 * and is retried after SB_STORE_RETRY_MIN_MS, backing off to
 * SB_STORE_RETRY_MAX_MS.  A buddy, room or room member seen for the first
 * time, and a prompt shown, are queued too, under a provisional id the writer
 * resolves at commit (sb-store-ids.c); so are the planner's marks and the
 * group-chat sightings.  What each operation writes is in sb-store-ops.c.
 */
#include "sb-store-private.h"

/* Operations a failed batch makes room for before it is put back: more than
 * are queued during one attempt (the busy timeout, at hundreds a second). */
#define SB_STORE_RESERVE 4096

/* The background writer.  Everything below @lock is shared with the writer
 * thread. */
struct _SbWriter
{
  GThread *thread;
  SbStore *store;   /* for the provisional ids (under store->ids_lock) */
  SbConnection connection;
  GMutex lock;
  GCond cond;
  GArray *handoff;  /* SbStoreOp handed over and not yet committed, in order */
  gint64 due;       /* monotonic time (us) at which the handoff is committed */
  gboolean kick;    /* a flush asked the writer to commit the handoff now */
  gboolean writing; /* the writer holds a batch outside the lock */
  guint writing_len;
  gboolean stop;
  guint failures;   /* commits failed in a row, for the back-off */
  guint64 committed; /* operations committed since the store opened */
  GError *error;    /* why the last commit failed; NULL after a success */
};

/* ---- the queue ---------------------------------------------------------- */

/* Past this many operations waiting, the writer commits at once instead of
 * SB_STORE_COMMIT_DELAY_MS after the first: a large batch (an import's) is
 * written while the caller prepares the next one. */
#define SB_STORE_COMMIT_AT 4096

/* Sets when the writer commits what was just handed over (with the lock
 * held): SB_STORE_COMMIT_DELAY_MS after the first operation, at once past
 * SB_STORE_COMMIT_AT; a failed commit keeps its back-off. */
static void
schedule_commit (SbWriter *writer, gboolean was_empty)
{
  if (writer->failures > 0)
    return;
  gint64 now = g_get_monotonic_time ();
  gint64 due = writer->handoff->len >= SB_STORE_COMMIT_AT ? now
                                                           : now + SB_STORE_COMMIT_DELAY_MS * 1000;
  if (was_empty || due < writer->due)
    {
      writer->due = due;
      g_cond_broadcast (&writer->cond);
    }
}

/* Hands the operations of *@ops, in order, to the writer thread (or to the
 * queue of a store without one) and leaves *@ops empty.  When the writer
 * holds nothing, the arrays are swapped: no copy of a large group. */
static void
hand_over (SbStore *store, GArray **ops)
{
  SbWriter *writer = store->writer;
  if (writer == NULL)
    {
      g_array_append_vals (store->queue, (*ops)->data, (*ops)->len);
      g_array_set_size (*ops, 0);
      return;
    }
  g_mutex_lock (&writer->lock);
  gboolean was_empty = writer->handoff->len == 0;
  if (was_empty)
    {
      GArray *empty = writer->handoff;
      writer->handoff = *ops;
      *ops = empty;
    }
  else
    {
      g_array_append_vals (writer->handoff, (*ops)->data, (*ops)->len);
      g_array_set_size (*ops, 0);
    }
  schedule_commit (writer, was_empty);
  g_mutex_unlock (&writer->lock);
}

/* Hands one operation to the writer thread, or to the queue of a store
 * without one. */
static void
hand_over_one (SbStore *store, const SbStoreOp *op)
{
  SbWriter *writer = store->writer;
  if (writer == NULL)
    {
      g_array_append_vals (store->queue, op, 1);
      return;
    }
  g_mutex_lock (&writer->lock);
  g_array_append_vals (writer->handoff, op, 1);
  schedule_commit (writer, writer->handoff->len == 1);
  g_mutex_unlock (&writer->lock);
}

void
sb_store_queue_op (SbStore *store, const SbStoreOp *op)
{
  store->queued++;
  if (store->group != NULL)
    g_array_append_vals (store->group, op, 1);
  else
    hand_over_one (store, op);
}

void
sb_store_begin_group (SbStore *store)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (store->group == NULL);
  store->group = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
}

/* What the open group holds so far, handed over. */
static void
hand_over_group (SbStore *store)
{
  if (store->group != NULL && store->group->len > 0)
    hand_over (store, &store->group);
}

void
sb_store_end_group (SbStore *store)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (store->group != NULL);
  hand_over_group (store);
  g_clear_pointer (&store->group, g_array_unref);
}

void
sb_store_queue_file_mark (SbStore *store, const char *path, gint64 size, gint64 mtime)
{
  g_return_if_fail (store != NULL);
  g_return_if_fail (path != NULL);
  SbStoreOp op = { .kind = OP_FILE_MARK };
  op.file_mark.path = sb_store_intern (store, path);
  op.file_mark.size = size;
  op.file_mark.mtime = mtime;
  sb_store_queue_op (store, &op);
}

gint64
sb_store_queue_row (SbStore *store, SbStoreOpKind kind, const SbBuddyKey *key)
{
  gint64 id = sb_store_new_provisional_row (store, kind, key);
  sb_store_queue_op (store, &(SbStoreOp){ .kind = kind, .buddy_id = id });
  return id;
}

gint64
sb_store_queue_buddy (SbStore *store, const SbBuddyKey *key)
{
  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  return sb_store_queue_row (store, OP_BUDDY, key);
}

gint64
sb_store_buddy_id (SbStore *store, const SbBuddyKey *key, GError **error)
{
  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (key != NULL, 0);
  gint64 id = sb_store_queued_id (store, OP_BUDDY, key);
  if (id != 0)
    return id;
  g_autoptr (GError) local = NULL;
  id = sb_store_lookup_buddy (store, key, FALSE, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }
  return id != 0 ? id : sb_store_queue_row (store, OP_BUDDY, key);
}

void
sb_store_queue_flag_automated (SbStore *store, gint64 buddy_id, gint64 time, guint64 digest)
{
  g_return_if_fail (store != NULL);
  SbStoreOp op = { .kind = OP_FLAG_AUTOMATED, .buddy_id = buddy_id };
  op.flag.time = time;
  op.flag.digest = digest;
  sb_store_queue_op (store, &op);
}

guint64
sb_store_get_queued (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  return store->queued;
}

guint64
sb_store_get_committed (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  if (store->writer == NULL)
    return store->queued - store->queue->len;
  g_mutex_lock (&store->writer->lock);
  guint64 committed = store->writer->committed;
  g_mutex_unlock (&store->writer->lock);
  return committed;
}

gboolean
sb_store_check_room (SbStore *store, GError **error)
{
  if (!sb_store_queue_full (store))
    return TRUE;
  g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FULL,
               "%u writes wait already (the file is locked or the disk full)", SB_STORE_QUEUE_MAX);
  return FALSE;
}

gboolean
sb_store_queue_full (SbStore *store)
{
  g_return_val_if_fail (store != NULL, TRUE);
  if (store->writer == NULL)
    return FALSE; /* commits on the caller's thread: nothing piles up */
  g_mutex_lock (&store->writer->lock);
  gboolean full = store->writer->error != NULL
                  && store->writer->handoff->len + store->writer->writing_len >= SB_STORE_QUEUE_MAX;
  g_mutex_unlock (&store->writer->lock);
  return full;
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

/* How long the writer waits before retrying after @failures failed commits. */
static gint64
retry_delay_us (guint failures)
{
  gint64 ms = SB_STORE_RETRY_MIN_MS;
  for (guint i = 1; i < failures && ms < SB_STORE_RETRY_MAX_MS; i++)
    ms *= 2;
  return MIN (ms, SB_STORE_RETRY_MAX_MS) * 1000;
}

/* Waits, with the lock held, until the handoff is due, a flush kicks, or
 * the writer is stopped.  TRUE when there is a commit to try. */
static gboolean
writer_wait (SbWriter *writer)
{
  for (;;)
    {
      if (writer->kick)
        return TRUE;
      if (writer->stop)
        return FALSE;
      if (writer->handoff->len == 0)
        g_cond_wait (&writer->cond, &writer->lock);
      else if (g_get_monotonic_time () >= writer->due)
        return TRUE;
      else
        g_cond_wait_until (&writer->cond, &writer->lock, writer->due);
    }
}

/* Settles a commit attempt of *@batch (with the lock held): counts it, or
 * puts it back in front and schedules the retry.  Putting back appends what
 * was queued meanwhile (little) to the batch (however large) and swaps
 * them, so the caller's thread never waits on a large copy; *@batch is
 * then what to free. */
static void
writer_settle (SbWriter *writer, GArray **batch, gboolean ok, GError *error)
{
  writer->writing = FALSE;
  writer->writing_len = 0;
  g_clear_error (&writer->error);
  if (ok)
    {
      writer->committed += (*batch)->len;
      writer->failures = 0;
    }
  else
    {
      g_array_append_vals (*batch, writer->handoff->data, writer->handoff->len);
      GArray *kept = *batch;
      *batch = writer->handoff;
      writer->handoff = kept;
      writer->error = error;
      writer->failures++;
      writer->due = g_get_monotonic_time () + retry_delay_us (writer->failures);
    }
  if (ok && writer->handoff->len > 0)
    writer->due = MIN (writer->due, g_get_monotonic_time () + SB_STORE_COMMIT_DELAY_MS * 1000);
}

/* The writer thread: waits until the handoff is due (or a flush kicks),
 * commits everything handed over in one transaction, and on failure puts
 * the batch back in front so that nothing is lost and order is kept, to be
 * retried after a back-off. */
static gpointer
writer_main (gpointer data)
{
  SbWriter *writer = data;
  g_mutex_lock (&writer->lock);
  while (writer_wait (writer))
    {
      writer->kick = FALSE;
      if (writer->handoff->len == 0)
        {
          g_cond_broadcast (&writer->cond);
          continue;
        }

      GArray *batch = writer->handoff;
      writer->handoff = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
      writer->writing = TRUE;
      writer->writing_len = batch->len;
      g_mutex_unlock (&writer->lock);

      GError *error = NULL;
      gboolean ok = sb_store_write_ops (writer->store, &writer->connection,
                               (const SbStoreOp *) batch->data, batch->len, &error);

      if (!ok)
        {
          /* room for what is queued meanwhile, reserved before taking the lock */
          guint len = batch->len;
          g_array_set_size (batch, len + SB_STORE_RESERVE);
          g_array_set_size (batch, len);
        }
      g_mutex_lock (&writer->lock);
      writer_settle (writer, &batch, ok, error);
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
  writer->store = store;
  writer->handoff = g_array_new (FALSE, FALSE, sizeof (SbStoreOp));
  writer->committed = store->queued - store->queue->len;
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
  if (writer->thread != NULL)
    g_thread_join (writer->thread);
  sb_connection_close (&writer->connection);
  g_clear_error (&writer->error);
  g_array_unref (writer->handoff);
  g_mutex_clear (&writer->lock);
  g_cond_clear (&writer->cond);
  g_free (writer);
}

/* Asks the writer to commit now.  Called with the lock held. */
static void
writer_kick (SbWriter *writer)
{
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
  if (writer->handoff->len > 0)
    writer_kick (writer);
  g_mutex_unlock (&writer->lock);
  return ok;
}

gboolean
sb_store_flush (SbStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  hand_over_group (store);
  if (store->writer == NULL)
    {
      if (store->queue->len == 0)
        return TRUE;
      if (!sb_store_write_ops (store, &store->main, (const SbStoreOp *) store->queue->data,
                      store->queue->len, error))
        return FALSE; /* the queue is kept for the next try */
      g_array_set_size (store->queue, 0);
      return TRUE;
    }

  SbWriter *writer = store->writer;
  g_mutex_lock (&writer->lock);
  if (writer->handoff->len > 0)
    writer_kick (writer);
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

gboolean
sb_store_flush_within (SbStore *store, guint timeout_ms, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      if (sb_store_flush (store, &local))
        return TRUE;
      gboolean waits = g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_BUSY)
                       || g_error_matches (local, SB_STORE_ERROR, SB_STORE_ERROR_FULL);
      if (!waits || g_get_monotonic_time () + SB_STORE_RETRY_MIN_MS * 1000 > deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_usleep (SB_STORE_RETRY_MIN_MS * 1000 / 2);
    }
}

void
sb_store_drop_unsaved (SbStore *store, SbStoreEventFunc func, gpointer user_data)
{
  g_return_if_fail (store != NULL);
  hand_over_group (store);
  if (store->writer != NULL)
    {
      SbWriter *writer = store->writer;
      g_mutex_lock (&writer->lock);
      writer->stop = TRUE;
      g_cond_broadcast (&writer->cond);
      g_mutex_unlock (&writer->lock);
      g_thread_join (g_steal_pointer (&writer->thread));
      g_array_append_vals (store->queue, writer->handoff->data, writer->handoff->len);
      g_clear_pointer (&store->writer, sb_store_writer_stop);
    }
  for (guint i = 0; i < store->queue->len; i++)
    {
      const SbStoreOp *op = &g_array_index (store->queue, SbStoreOp, i);
      if (op->kind == OP_EVENT && func != NULL)
        func (op->buddy_id, &op->event, user_data);
    }
  store->queued -= store->queue->len;
  g_array_set_size (store->queue, 0);
}

guint
sb_store_pending (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  guint pending = store->queue->len + (store->group != NULL ? store->group->len : 0);
  if (store->writer != NULL)
    {
      g_mutex_lock (&store->writer->lock);
      pending += store->writer->handoff->len + store->writer->writing_len;
      g_mutex_unlock (&store->writer->lock);
    }
  return pending;
}

gboolean
sb_store_wait_for_room (SbStore *store, guint max_pending, gint64 deadline, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  SbWriter *writer = store->writer;
  if (writer == NULL)
    return store->queue->len <= max_pending || sb_store_flush (store, error);

  g_mutex_lock (&writer->lock);
  gboolean ok = TRUE;
  while (writer->handoff->len + writer->writing_len > max_pending)
    {
      if (writer->error != NULL)
        {
          g_propagate_error (error, g_error_copy (writer->error));
          ok = FALSE;
          break;
        }
      if (writer->handoff->len > 0 && !writer->kick)
        writer_kick (writer);
      if (deadline <= 0)
        g_cond_wait (&writer->cond, &writer->lock);
      else if (!g_cond_wait_until (&writer->cond, &writer->lock, deadline))
        break; /* the caller's time is up: it comes back later */
    }
  g_mutex_unlock (&writer->lock);
  return ok;
}

void
sb_store_set_nonblocking (SbStore *store, gboolean nonblocking)
{
  g_return_if_fail (store != NULL);
  store->nonblocking = nonblocking;
}

gboolean
sb_store_flush_for_read (SbStore *store, GError **error)
{
  return store->nonblocking || sb_store_flush (store, error);
}
