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
 * resolves at commit; so are the planner's marks and the group-chat
 * sightings.  Bulk inserts (log import) bypass the queue.
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

/* ---- provisional buddy ids --------------------------------------------- */

void
sb_store_ids_init (SbStore *store)
{
  g_mutex_init (&store->ids_lock);
  store->provisional = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) sb_buddy_key_free);
  store->resolved = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  store->queued_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  store->names = g_string_chunk_new (1024);
  store->sent_invites = g_array_new (FALSE, FALSE, sizeof (SbQueuedChat));
  store->shown_prompts = g_array_new (FALSE, FALSE, sizeof (SbQueuedPrompt));
}

void
sb_store_ids_clear (SbStore *store)
{
  g_clear_pointer (&store->provisional, g_hash_table_unref);
  g_clear_pointer (&store->resolved, g_hash_table_unref);
  g_clear_pointer (&store->queued_ids, g_hash_table_unref);
  g_clear_pointer (&store->names, g_string_chunk_free);
  g_clear_pointer (&store->sent_invites, g_array_unref);
  g_clear_pointer (&store->shown_prompts, g_array_unref);
  g_mutex_clear (&store->ids_lock);
}

gint64
sb_store_row_id (SbStore *store, gint64 buddy_id)
{
  if (buddy_id >= 0)
    return buddy_id;
  g_mutex_lock (&store->ids_lock);
  const gint64 *row = g_hash_table_lookup (store->resolved, &buddy_id);
  gint64 id = row != NULL ? *row : 0;
  g_mutex_unlock (&store->ids_lock);
  return id;
}

gint64
sb_store_resolve_buddy (SbStore *store, gint64 buddy_id)
{
  g_return_val_if_fail (store != NULL, 0);
  return buddy_id < 0 ? sb_store_row_id (store, buddy_id) : buddy_id;
}

const char *
sb_store_intern (SbStore *store, const char *s)
{
  return s != NULL ? g_string_chunk_insert_const (store->names, s) : NULL;
}

gint64
sb_store_new_provisional (SbStore *store)
{
  g_mutex_lock (&store->ids_lock);
  gint64 id = --store->next_provisional;
  g_mutex_unlock (&store->ids_lock);
  return id;
}

/* The key of store->queued_ids for @key in the table of @kind. */
static char *
queued_name (SbStoreOpKind kind, const SbBuddyKey *key)
{
  return g_strdup_printf ("%d\x1f%s\x1f%s\x1f%s", kind, key->protocol, key->account, key->buddy);
}

gint64
sb_store_queued_id (SbStore *store, SbStoreOpKind kind, const SbBuddyKey *key)
{
  g_autofree char *name = queued_name (kind, key);
  const gint64 *id = g_hash_table_lookup (store->queued_ids, name);
  return id != NULL ? *id : 0;
}

/* @key as it is: a room or member name is no buddy name (the user's member
 * name is empty), so sb_buddy_key_copy() would refuse it. */
static SbBuddyKey *
copy_key (const SbBuddyKey *key)
{
  SbBuddyKey *copy = g_new0 (SbBuddyKey, 1);
  copy->protocol = g_strdup (key->protocol);
  copy->account = g_strdup (key->account);
  copy->buddy = g_strdup (key->buddy);
  return copy;
}

gint64
sb_store_queue_row (SbStore *store, SbStoreOpKind kind, const SbBuddyKey *key)
{
  gint64 id = sb_store_new_provisional (store);
  g_mutex_lock (&store->ids_lock);
  g_hash_table_insert (store->provisional, g_memdup2 (&id, sizeof id), copy_key (key));
  g_mutex_unlock (&store->ids_lock);
  g_hash_table_replace (store->queued_ids, queued_name (kind, key), g_memdup2 (&id, sizeof id));
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

/* The row ids given to provisional ids by the batch being written: published
 * to store->resolved only once it is committed. */
typedef struct
{
  SbStore *store;
  GHashTable *resolved; /* provisional id -> row id, this batch */
} BatchIds;

/* Remembers that the provisional id @id is the row @row, in this batch. */
static void
batch_resolve (BatchIds *ids, gint64 id, gint64 row)
{
  g_hash_table_insert (ids->resolved, g_memdup2 (&id, sizeof id), g_memdup2 (&row, sizeof row));
}

/* Adds the buddy, room or member queued as @op->buddy_id and remembers its
 * row id. */
static gboolean
write_row (SbConnection *connection, BatchIds *ids, const SbStoreOp *op, GError **error)
{
  g_mutex_lock (&ids->store->ids_lock);
  SbBuddyKey *key = g_hash_table_lookup (ids->store->provisional, &op->buddy_id);
  g_mutex_unlock (&ids->store->ids_lock);
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
  batch_resolve (ids, op->buddy_id, id);
  return TRUE;
}

/* The row id an operation's id (of a buddy, room, member or prompt) stands
 * for, 0 with @error when a provisional one was never added. */
static gint64
batch_row_id (BatchIds *ids, gint64 id, GError **error)
{
  const gint64 *row = id < 0 ? g_hash_table_lookup (ids->resolved, &id) : NULL;
  gint64 found = row != NULL ? *row : sb_store_row_id (ids->store, id);
  if (found == 0)
    g_set_error (error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "a write names an unknown row");
  return found;
}

/* After a commit: the batch's provisional ids are resolved for everyone. */
static void
publish_ids (BatchIds *ids)
{
  GHashTableIter iter;
  gpointer key, value;
  g_mutex_lock (&ids->store->ids_lock);
  g_hash_table_iter_init (&iter, ids->resolved);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_replace (ids->store->resolved, key, value);
    }
  g_mutex_unlock (&ids->store->ids_lock);
}

/* ---- the queue ---------------------------------------------------------- */

void
sb_store_queue_op (SbStore *store, const SbStoreOp *op)
{
  store->queued++;
  SbWriter *writer = store->writer;
  if (writer == NULL)
    {
      g_array_append_vals (store->queue, op, 1);
      return;
    }
  g_mutex_lock (&writer->lock);
  g_array_append_vals (writer->handoff, op, 1);
  if (writer->handoff->len == 1 && writer->failures == 0)
    {
      writer->due = g_get_monotonic_time () + SB_STORE_COMMIT_DELAY_MS * 1000;
      g_cond_broadcast (&writer->cond);
    }
  g_mutex_unlock (&writer->lock);
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

/* @op's room line with its room and members as row ids. */
static gboolean
write_room_line (SbConnection *connection, BatchIds *ids, const SbStoreOp *op, GError **error)
{
  SbRoomLineOp line = op->room_line;
  line.room_id = batch_row_id (ids, line.room_id, error);
  line.speaker_id = line.room_id != 0 ? batch_row_id (ids, line.speaker_id, error) : 0;
  if (line.speaker_id == 0)
    return FALSE;
  if (line.parent_speaker_id != 0
      && (line.parent_speaker_id = batch_row_id (ids, line.parent_speaker_id, error)) == 0)
    return FALSE;
  return sb_store_write_room_line (connection, &line, error);
}

/* @op's prompt, answer, state, pair or chat event with its ids as row ids. */
static gboolean
write_planner_op (SbConnection *connection, BatchIds *ids, const SbStoreOp *op, GError **error)
{
  SbStoreOp resolved = *op;
  gboolean has_buddy = op->kind != OP_CHAT_EVENT && op->kind != OP_ANSWER_PROMPT;
  if (has_buddy && (resolved.buddy_id = batch_row_id (ids, op->buddy_id, error)) == 0)
    return FALSE;
  if (op->kind == OP_MARK_PAIR && (resolved.pair.other = batch_row_id (ids, op->pair.other, error)) == 0)
    return FALSE;
  if (op->kind == OP_ANSWER_PROMPT && (resolved.prompt.id = batch_row_id (ids, op->prompt.id, error)) == 0)
    return FALSE;
  gint64 row = 0;
  if (!sb_store_write_planner_op (connection, &resolved, &row, error))
    return FALSE;
  if (op->kind == OP_LOG_PROMPT)
    batch_resolve (ids, op->prompt.id, row);
  return TRUE;
}

static gboolean
write_op (SbConnection *connection, BatchIds *ids, const SbStoreOp *op, GError **error)
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
    default:
      break;
    }
  gint64 buddy_id = batch_row_id (ids, op->buddy_id, error);
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
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, buddy_id);
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
      sqlite3_bind_int64 (stmt, 1, buddy_id);
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
      sqlite3_bind_int64 (stmt, 1, buddy_id);
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

    default:
      break;
    }
  g_assert_not_reached ();
}

/* A batch of queued operations, for sb_connection_transaction(). */
typedef struct
{
  const SbStoreOp *ops;
  guint n;
  BatchIds ids;
} OpBatch;

static gboolean
write_batch (SbConnection *connection, gpointer data, GError **error)
{
  OpBatch *batch = data;
  for (guint i = 0; i < batch->n; i++)
    if (!write_op (connection, &batch->ids, &batch->ops[i], error))
      return FALSE;
  return TRUE;
}

/* Runs @ops in one IMMEDIATE transaction on @connection; all or nothing. */
static gboolean
write_ops (SbStore *store, SbConnection *connection, const SbStoreOp *ops, guint n,
           GError **error)
{
  g_autoptr (GHashTable) resolved = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                           g_free);
  OpBatch batch = { ops, n, { store, resolved } };
  if (!sb_connection_transaction (connection, write_batch, &batch, error))
    return FALSE;
  publish_ids (&batch.ids);
  return TRUE;
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
      gboolean ok = write_ops (writer->store, &writer->connection,
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
  if (store->writer == NULL)
    {
      if (store->queue->len == 0)
        return TRUE;
      if (!write_ops (store, &store->main, (const SbStoreOp *) store->queue->data,
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

gboolean
sb_store_flush_then (SbStore *store, SbStoreWriteFunc then, gpointer data, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (then != NULL, FALSE);

  /* what the writer still holds (a failed commit) goes first, in order */
  if (store->writer != NULL && !writer_is_idle (store->writer) && !sb_store_flush (store, error))
    return FALSE;
  g_autoptr (GHashTable) resolved = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                           g_free);
  FlushThen ft = { store, { (const SbStoreOp *) store->queue->data, store->queue->len,
                            { store, resolved } }, then, data };
  if (!sb_connection_transaction (&store->main, write_batch_then, &ft, error))
    return FALSE; /* the queue is kept for the next try */
  publish_ids (&ft.batch.ids);
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
      pending += store->writer->handoff->len + store->writer->writing_len;
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
