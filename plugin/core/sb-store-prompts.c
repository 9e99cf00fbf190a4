/* sb-store-prompts.c: what the planner remembers and asks of the past.
 *
 * Snoozes and mutes per (kind, buddy); every prompt shown and its answer; what
 * came of prompts (did the user write, did the buddy smile back), of
 * introductions and of invitations; pairs of buddies ("they know each
 * other", "introduced"); and the group-chat sightings those questions read
 * (with the room answers of sb-store-rooms.c for "seen together").
 * These writes are queued like live events (a prompt shown under a
 * provisional id) and committed by the writer, so the caller's thread never
 * waits on the file; reads flush the queue first unless the store is
 * nonblocking.  The windows the outcome questions use are named below and
 * bound.
 */
#include "sb-store-private.h"
#include "smileback/sb-room-store.h"

/* A prompt was acted on when the user wrote to the buddy within this long. */
#define ACTED_WITHIN_S SB_HOUR
/* ... and smiled back at when the buddy wrote within this long after that:
 * R, the answer window of docs/design.md, "Definitions". */
#define SMILED_BACK_WITHIN_S (48 * SB_HOUR)
/* An invitation was taken up when the invitee joined within this long. */
#define JOINED_WITHIN_S SB_DAY

static gboolean
write_chat_event (SbConnection *connection, const SbChatEvent *event, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_INSERT_CHAT_EVENT,
    "INSERT OR IGNORE INTO chat_events (protocol, account, room, member, kind, source, time)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    error);
  return sb_store_bind (stmt, "ssssiiI", event->protocol, event->account, event->room,
                        event->member != NULL ? event->member : "", event->kind, event->source,
                        event->time)
         && sb_store_step_done (stmt, "cannot save a group chat event", error);
}

static gboolean
write_prompt_state (SbConnection *connection, const SbStoreOp *op, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_SET_PROMPT_STATE,
    "INSERT INTO prompt_state (buddy_id, kind, snoozed_until, muted) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (buddy_id, kind) DO UPDATE SET snoozed_until = ?3, muted = ?4",
    error);
  return sb_store_bind (stmt, "IiIi", op->buddy_id, op->prompt.kind, op->prompt.time,
                        op->prompt.muted ? TRUE : FALSE)
         && sb_store_step_done (stmt, "cannot save a prompt answer", error);
}

static gboolean
write_log_prompt (SbConnection *connection, const SbStoreOp *op, gint64 *row, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_LOG_PROMPT,
    "INSERT INTO prompt_log (buddy_id, kind, shown_at) VALUES (?1, ?2, ?3)", error);
  if (!sb_store_bind (stmt, "IiI", op->buddy_id, op->prompt.kind, op->prompt.time)
      || !sb_store_step_done (stmt, "cannot log a prompt", error))
    return FALSE;
  *row = sqlite3_last_insert_rowid (connection->db);
  return TRUE;
}

static gboolean
write_answer (SbConnection *connection, const SbStoreOp *op, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_ANSWER_PROMPT,
    "UPDATE prompt_log SET answer = ?2, answered_at = ?3 WHERE id = ?1", error);
  return sb_store_bind (stmt, "IiI", op->prompt.id, op->prompt.answer, op->prompt.time)
         && sb_store_step_done (stmt, "cannot save a prompt answer", error);
}

static gboolean
write_pair (SbConnection *connection, const SbStoreOp *op, GError **error)
{
  /* Pairs are stored with the smaller id first, so (a, b) and (b, a) are one. */
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_MARK_PAIR,
    "INSERT OR IGNORE INTO pairs (buddy_a, buddy_b, mark, time)"
    " VALUES (min (?1, ?2), max (?1, ?2), ?3, ?4)",
    error);
  return sb_store_bind (stmt, "IIiI", op->buddy_id, op->pair.other, op->pair.mark, op->pair.time)
         && sb_store_step_done (stmt, "cannot save a pair", error);
}

gboolean
sb_store_write_planner_op (SbConnection *connection, const SbStoreOp *op, gint64 *row,
                           GError **error)
{
  switch (op->kind)
    {
    case OP_CHAT_EVENT:
      return write_chat_event (connection, &op->chat, error);
    case OP_LOG_PROMPT:
      return write_log_prompt (connection, op, row, error);
    case OP_ANSWER_PROMPT:
      return write_answer (connection, op, error);
    case OP_PROMPT_STATE:
      return write_prompt_state (connection, op, error);
    case OP_MARK_PAIR:
      return write_pair (connection, op, error);
    default:
      break;
    }
  g_assert_not_reached ();
}

gboolean
sb_store_add_chat_event (SbStore *store, const SbChatEvent *event, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (!sb_store_check_room (store, error))
    return FALSE;
  SbStoreOp op = { .kind = OP_CHAT_EVENT, .chat = *event };
  op.chat.protocol = sb_store_intern (store, event->protocol);
  op.chat.account = sb_store_intern (store, event->account);
  op.chat.room = sb_store_intern (store, event->room);
  op.chat.member = sb_store_intern (store, event->member);
  sb_store_queue_op (store, &op);
  if (event->kind == SB_CHAT_INVITE_SENT)
    g_array_append_val (store->sent_invites, ((SbQueuedChat){ store->queued, op.chat }));
  return TRUE;
}

/* TRUE when an invitation of @member to @room since @since waits in the
 * queue; forgets those committed meanwhile (the file has them). */
static gboolean
invite_queued (SbStore *store, const SbChatEvent *wanted, gint64 since)
{
  guint64 committed = sb_store_get_committed (store);
  guint kept = 0;
  gboolean found = FALSE;
  for (guint i = 0; i < store->sent_invites->len; i++)
    {
      SbQueuedChat *queued = &g_array_index (store->sent_invites, SbQueuedChat, i);
      if (queued->seq <= committed)
        continue;
      const SbChatEvent *e = &queued->event;
      found = found
              || (e->time >= since && g_str_equal (e->protocol, wanted->protocol)
                  && g_str_equal (e->account, wanted->account) && g_str_equal (e->room, wanted->room)
                  && g_strcmp0 (e->member, wanted->member) == 0);
      g_array_index (store->sent_invites, SbQueuedChat, kept++) = *queued;
    }
  g_array_set_size (store->sent_invites, kept);
  return found;
}

gboolean
sb_store_foreach_prompt_state (SbStore *store, SbStorePromptStateFunc func, gpointer user_data,
                               GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;

  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_FOREACH_PROMPT_STATE,
    "SELECT b.protocol, b.account, b.buddy, p.kind, p.snoozed_until, p.muted"
    " FROM prompt_state p JOIN buddies b ON b.id = p.buddy_id",
    error);
  if (stmt == NULL)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbBuddyKey key = {
        .protocol = (char *) sqlite3_column_text (stmt, 0),
        .account = (char *) sqlite3_column_text (stmt, 1),
        .buddy = (char *) sqlite3_column_text (stmt, 2),
      };
      func (&key, sqlite3_column_int (stmt, 3), sqlite3_column_int64 (stmt, 4),
            sqlite3_column_int (stmt, 5) != FALSE, user_data);
    }
  return sb_store_rows_done (stmt, rc, "cannot load prompt answers", error);
}

gboolean
sb_store_set_prompt_state (SbStore *store, gint64 buddy_id, int kind, gint64 snoozed_until,
                           gboolean muted, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  SbStoreOp op = { .kind = OP_PROMPT_STATE, .buddy_id = buddy_id };
  op.prompt.kind = kind;
  op.prompt.time = snoozed_until;
  op.prompt.muted = muted;
  sb_store_queue_op (store, &op);
  return TRUE;
}

gint64
sb_store_log_prompt (SbStore *store, gint64 buddy_id, int kind, gint64 shown_at, GError **error)
{
  g_return_val_if_fail (store != NULL, 0);
  SbStoreOp op = { .kind = OP_LOG_PROMPT, .buddy_id = buddy_id };
  op.prompt.id = sb_store_new_provisional (store);
  op.prompt.kind = kind;
  op.prompt.time = shown_at;
  sb_store_queue_op (store, &op);
  g_array_append_val (store->shown_prompts, ((SbQueuedPrompt){ op.prompt.id, kind, shown_at }));
  return op.prompt.id;
}

/* The prompts shown since @since (of @kind, every kind when < 0) that the
 * writer has not committed yet: a nonblocking read does not see them, and
 * the planner's caps must (else a plan run right after a prompt offers it
 * again).  Forgets those committed. */
static guint
count_uncommitted_prompts (SbStore *store, gint64 since, int kind)
{
  guint count = 0, kept = 0;
  for (guint i = 0; i < store->shown_prompts->len; i++)
    {
      SbQueuedPrompt *queued = &g_array_index (store->shown_prompts, SbQueuedPrompt, i);
      if (sb_store_row_id (store, queued->id) != 0)
        continue;
      if (queued->shown_at >= since && (kind < 0 || queued->kind == kind))
        count++;
      g_array_index (store->shown_prompts, SbQueuedPrompt, kept++) = *queued;
    }
  g_array_set_size (store->shown_prompts, kept);
  return count;
}

gboolean
sb_store_answer_prompt (SbStore *store, gint64 prompt_id, int answer, gint64 answered_at,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  SbStoreOp op = { .kind = OP_ANSWER_PROMPT };
  op.prompt.id = prompt_id;
  op.prompt.answer = answer;
  op.prompt.time = answered_at;
  sb_store_queue_op (store, &op);
  return TRUE;
}

/* Runs a bound statement of @n counts and stores them, as guint, in @counts. */
static gboolean
read_counts (sqlite3_stmt *stmt, guint **counts, int n, const char *what, GError **error)
{
  gint64 values[3] = { 0 };
  g_assert (n <= (int) G_N_ELEMENTS (values));
  if (!sb_store_query_row (stmt, values, n, what, error))
    return FALSE;
  for (int i = 0; i < n; i++)
    *counts[i] = (guint) values[i];
  return TRUE;
}

gboolean
sb_store_count_prompts_since (SbStore *store, gint64 since, int kind, guint *count,
                              GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  /* Before the committed rows: one committed in between counts twice, which
   * errs on the side of fewer prompts, never once more. */
  guint uncommitted = count_uncommitted_prompts (store, since, kind);

  /* ?2 < 0: every kind. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_COUNT_PROMPTS,
    "SELECT count(*) FROM prompt_log WHERE shown_at >= ?1 AND (?2 < 0 OR kind = ?2)", error);
  if (!sb_store_bind (stmt, "Ii", since, kind)
      || !read_counts (stmt, (guint *[]){ count }, 1, "cannot count prompts", error))
    return FALSE;
  *count += uncommitted;
  return TRUE;
}

gboolean
sb_store_prompt_outcomes (SbStore *store, int kind, guint *shown, guint *acted,
                          guint *smiled_back, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (shown != NULL && acted != NULL && smiled_back != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  /* Acted: the user (?2) wrote a message (?4) to the buddy within ?5 of the
   * prompt.  Smiled back: the buddy (?3) wrote a message after that within ?6. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_PROMPT_OUTCOMES,
    "SELECT count(*), count(acted),"
    " sum(acted IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.buddy_id = l.buddy_id"
    "   AND e.direction = ?3 AND e.kind = ?4 AND e.time > l.acted AND e.time <= l.acted + ?6))"
    " FROM (SELECT buddy_id, (SELECT min(time) FROM events e WHERE e.buddy_id = p.buddy_id"
    "   AND e.direction = ?2 AND e.kind = ?4 AND e.time >= p.shown_at"
    "   AND e.time <= p.shown_at + ?5) AS acted"
    "   FROM prompt_log p WHERE p.kind = ?1) l",
    error);
  return sb_store_bind (stmt, "iiiiII", kind, SB_DIRECTION_OUT, SB_DIRECTION_IN, SB_EVENT_MESSAGE,
                        ACTED_WITHIN_S, SMILED_BACK_WITHIN_S)
         && read_counts (stmt, (guint *[]){ shown, acted, smiled_back }, 3,
                         "cannot read prompt outcomes", error);
}

gboolean
sb_store_mark_pair (SbStore *store, gint64 buddy_a, gint64 buddy_b, SbPairMark mark, gint64 time,
                    GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  SbStoreOp op = { .kind = OP_MARK_PAIR, .buddy_id = buddy_a };
  op.pair.other = buddy_b;
  op.pair.mark = mark;
  op.pair.time = time;
  sb_store_queue_op (store, &op);
  return TRUE;
}

gboolean
sb_store_pair_marks (SbStore *store, gint64 buddy_a, gint64 buddy_b, guint *marks, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (marks != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;

  *marks = 0;
  /* SQLite has no bitwise-OR aggregate: the rows are OR-ed here. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_PAIR_MARKS,
    "SELECT mark FROM pairs WHERE buddy_a = min (?1, ?2) AND buddy_b = max (?1, ?2)", error);
  if (!sb_store_bind (stmt, "II", buddy_a, buddy_b))
    return FALSE;
  guint found = 0;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    found |= (guint) sqlite3_column_int (stmt, 0);
  if (!sb_store_rows_done (stmt, rc, "cannot read a pair", error))
    return FALSE;
  *marks = found;
  return TRUE;
}

gboolean
sb_store_seen_together (SbStore *store, const SbBuddyKey *a, const SbBuddyKey *b, gint64 since,
                        gboolean *together, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  g_return_val_if_fail (together != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;

  /* ?6: SB_CHAT_PRESENT. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_SEEN_TOGETHER,
    "SELECT EXISTS (SELECT 1 FROM chat_events x JOIN chat_events y ON y.protocol = x.protocol"
    "   AND y.account = x.account AND y.room = x.room AND y.kind = ?6"
    " WHERE x.kind = ?6 AND x.protocol = ?1 AND x.member = ?2 AND y.protocol = ?3"
    "   AND y.member = ?4 AND x.time >= ?5 AND y.time >= ?5)",
    error);
  if (!sb_store_bind (stmt, "ssssIi", a->protocol, a->buddy, b->protocol, b->buddy, since,
                      SB_CHAT_PRESENT)
      || !sb_store_query_exists (stmt, together, "cannot look for shared group chats", error))
    return FALSE;
  /* Two members who answer each other in a room know each other
   * (docs/design.md, "Group chats"), present in it together or not. */
  return *together || sb_store_answered_each_other (store, a, b, since, together, error);
}

gboolean
sb_store_invited_since (SbStore *store, const char *protocol, const char *account,
                        const char *room, const char *member, gint64 since, gboolean *invited,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (protocol != NULL && account != NULL, FALSE);
  g_return_val_if_fail (room != NULL && member != NULL, FALSE);
  g_return_val_if_fail (invited != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  SbChatEvent wanted = { .protocol = protocol, .account = account, .room = room, .member = member };
  if (invite_queued (store, &wanted, since))
    {
      *invited = TRUE;
      return TRUE;
    }

  /* ?6: SB_CHAT_INVITE_SENT. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_INVITED_SINCE,
    "SELECT EXISTS (SELECT 1 FROM chat_events WHERE protocol = ?1 AND account = ?2 AND room = ?3"
    "   AND member = ?4 AND kind = ?6 AND time >= ?5)",
    error);
  return sb_store_bind (stmt, "ssssIi", protocol, account, room, member, since, SB_CHAT_INVITE_SENT)
         && sb_store_query_exists (stmt, invited, "cannot look for invitations", error);
}

gboolean
sb_store_introduction_outcomes (SbStore *store, guint *introduced, guint *met, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (introduced != NULL && met != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;

  /* Met: both were seen present (?1) in one room after the introduction (?2). */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_INTRODUCTION_OUTCOMES,
    "SELECT count(*), sum (EXISTS (SELECT 1 FROM chat_events x JOIN chat_events y"
    "   ON y.protocol = x.protocol AND y.account = x.account AND y.room = x.room AND y.kind = ?1"
    "   WHERE x.kind = ?1 AND x.protocol = a.protocol AND x.member = a.buddy"
    "   AND y.protocol = b.protocol AND y.member = b.buddy AND x.time >= p.time"
    "   AND y.time >= p.time))"
    " FROM pairs p JOIN buddies a ON a.id = p.buddy_a JOIN buddies b ON b.id = p.buddy_b"
    " WHERE p.mark = ?2",
    error);
  return sb_store_bind (stmt, "ii", SB_CHAT_PRESENT, SB_PAIR_INTRODUCED)
         && read_counts (stmt, (guint *[]){ introduced, met }, 2, "cannot read outcomes", error);
}

gboolean
sb_store_invitation_outcomes (SbStore *store, guint *invited, guint *joined, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (invited != NULL && joined != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;

  /* Joined: the invitee (?2 invitations) was present (?1) in that room within ?3. */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_INVITATION_OUTCOMES,
    "SELECT count(*), sum (EXISTS (SELECT 1 FROM chat_events j WHERE j.protocol = i.protocol"
    "   AND j.account = i.account AND j.room = i.room AND j.member = i.member AND j.kind = ?1"
    "   AND j.time >= i.time AND j.time <= i.time + ?3))"
    " FROM chat_events i WHERE i.kind = ?2",
    error);
  return sb_store_bind (stmt, "iiI", SB_CHAT_PRESENT, SB_CHAT_INVITE_SENT, JOINED_WITHIN_S)
         && read_counts (stmt, (guint *[]){ invited, joined }, 2, "cannot read outcomes", error);
}
