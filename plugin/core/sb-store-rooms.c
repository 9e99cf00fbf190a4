/* sb-store-rooms.c: group-chat lines, and who answered whom (sb-room-store.h).
 *
 * A room and a member seen for the first time are queued under a provisional
 * id (a SELECT first, so a known one costs nothing), and the line with those
 * ids, all committed by the writer like a live event: the caller's thread
 * never writes.  Reads flush the queue first, unless the store is
 * nonblocking (then they see committed rows).  The user is the member with
 * the empty key on each account.
 */
#include "sb-store-private.h"
#include "smileback/sb-room-store.h"

/* The user's member key. */
#define USER_MEMBER ""

static const char *
member_or_user (const char *member)
{
  return member != NULL ? member : USER_MEMBER;
}

/* A table of (protocol, account, name) rows with ids: rooms, room_members. */
typedef struct
{
  SbStmt find_slot, add_slot;
  const char *find_sql, *add_sql;
  const char *what;
} IdTable;

static const IdTable ROOMS = {
  STMT_LOOKUP_ROOM,
  STMT_INSERT_ROOM,
  "SELECT id FROM rooms WHERE protocol = ?1 AND account = ?2 AND room = ?3",
  "INSERT INTO rooms (protocol, account, room) VALUES (?1, ?2, ?3)",
  "a room",
};

static const IdTable MEMBERS = {
  STMT_LOOKUP_MEMBER,
  STMT_INSERT_MEMBER,
  "SELECT id FROM room_members WHERE protocol = ?1 AND account = ?2 AND member = ?3",
  "INSERT INTO room_members (protocol, account, member) VALUES (?1, ?2, ?3)",
  "a room member",
};

/* The id of (@protocol, @account, @name) in @table on @connection; 0 (no
 * error) when absent. */
static gint64
find_id (SbConnection *connection, const IdTable *table, const char *protocol,
         const char *account, const char *name, GError **error)
{
  g_autofree char *what = g_strconcat ("cannot look up ", table->what, NULL);
  sqlite3_stmt *stmt
    = sb_connection_statement (connection, table->find_slot, table->find_sql, error);
  if (!sb_store_bind (stmt, "sss", protocol, account, name))
    return 0;
  int rc = sqlite3_step (stmt);
  gint64 id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  if (!sb_store_rows_done (stmt, rc, what, error))
    return 0;
  return id;
}

/* The row id of @key (its name in .buddy) in @table on @connection, added
 * when absent (a SELECT first: a known row costs no write); 0 with @error. */
static gint64
add_id (SbConnection *connection, const IdTable *table, const SbBuddyKey *key, GError **error)
{
  g_autoptr (GError) local = NULL;
  gint64 id = find_id (connection, table, key->protocol, key->account, key->buddy, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }
  if (id != 0)
    return id;
  g_autofree char *what = g_strconcat ("cannot add ", table->what, NULL);
  sqlite3_stmt *stmt = sb_connection_statement (connection, table->add_slot, table->add_sql, error);
  if (!sb_store_bind (stmt, "sss", key->protocol, key->account, key->buddy)
      || !sb_store_step_done (stmt, what, error))
    return 0;
  return sqlite3_last_insert_rowid (connection->db);
}

gint64
sb_connection_add_room (SbConnection *connection, const SbBuddyKey *key, GError **error)
{
  return add_id (connection, &ROOMS, key, error);
}

gint64
sb_connection_add_member (SbConnection *connection, const SbBuddyKey *key, GError **error)
{
  return add_id (connection, &MEMBERS, key, error);
}

/* The id of the row of @table (@kind OP_ROOM or OP_MEMBER) named by @key:
 * queued this session, stored, or else queued now under a provisional id.
 * Never writes; 0 with @error when the lookup fails. */
static gint64
queued_or_stored_id (SbStore *store, const IdTable *table, SbStoreOpKind kind,
                     const SbBuddyKey *key, GError **error)
{
  gint64 id = sb_store_queued_id (store, kind, key);
  if (id != 0)
    return id;
  g_autoptr (GError) local = NULL;
  id = find_id (&store->main, table, key->protocol, key->account, key->buddy, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }
  return id != 0 ? id : sb_store_queue_row (store, kind, key);
}

static gint64
find_room (SbStore *store, const SbRoomKey *room, GError **error)
{
  return find_id (&store->main, &ROOMS, room->protocol, room->account, room->room, error);
}

static gint64
room_id (SbStore *store, const SbRoomKey *room, GError **error)
{
  SbBuddyKey key = { (char *) room->protocol, (char *) room->account, (char *) room->room };
  return queued_or_stored_id (store, &ROOMS, OP_ROOM, &key, error);
}

/* @member is NULL for the user. */
static gint64
find_member (SbStore *store, const char *protocol, const char *account, const char *member,
             GError **error)
{
  return find_id (&store->main, &MEMBERS, protocol, account, member_or_user (member), error);
}

static gint64
member_id (SbStore *store, const SbRoomKey *room, const char *member, GError **error)
{
  SbBuddyKey key = { (char *) room->protocol, (char *) room->account,
                     (char *) member_or_user (member) };
  return queued_or_stored_id (store, &MEMBERS, OP_MEMBER, &key, error);
}

static gboolean
room_key_valid (const SbRoomKey *room)
{
  return room != NULL && room->protocol != NULL && room->account != NULL && room->room != NULL;
}

/* An empty key is the user, like NULL. */
static const char *
speaker_key (const char *speaker)
{
  return speaker != NULL && speaker[0] != '\0' ? speaker : NULL;
}

gboolean
sb_store_add_room_line (SbStore *store, const SbRoomKey *room, const SbRoomEntry *line,
                        GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (room_key_valid (room), FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  if (!sb_store_check_room (store, error))
    return FALSE;
  SbStoreOp op = { .kind = OP_ROOM_LINE };
  SbRoomLineOp *out = &op.room_line;
  out->room_id = room_id (store, room, error);
  if (out->room_id == 0)
    return FALSE;
  out->speaker_id = member_id (store, room, speaker_key (line->speaker), error);
  if (out->speaker_id == 0)
    return FALSE;
  if (line->has_parent)
    {
      out->parent_speaker_id = member_id (store, room, speaker_key (line->parent_speaker), error);
      if (out->parent_speaker_id == 0)
        return FALSE;
      out->parent_time = line->parent_time;
    }
  out->time = line->time;
  out->digest = line->digest;
  out->confident = line->has_parent && line->confident;
  out->source = line->source;
  sb_store_queue_op (store, &op);
  return TRUE;
}

gboolean
sb_store_write_room_line (SbConnection *connection, const SbRoomLineOp *line, GError **error)
{
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_INSERT_ROOM_LINE,
    "INSERT OR IGNORE INTO room_lines (room_id, time, speaker_id, digest, parent_time,"
    " parent_speaker_id, confident, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    error);
  if (!sb_store_bind (stmt, "IIII--ii", line->room_id, line->time, line->speaker_id,
                      (gint64) line->digest, line->confident ? TRUE : FALSE, line->source))
    return FALSE;
  /* A line that starts a thread keeps its parent NULL. */
  if (line->parent_speaker_id != 0)
    sb_store_bind (stmt, "----II", line->parent_time, line->parent_speaker_id);
  return sb_store_step_done (stmt, "cannot save a room line", error);
}

/* Where each loaded line sits in the array, by (time, speaker), so a parent
 * read back as (time, speaker) finds its index.  The latest line wins. */
static char *
line_id (gint64 time, const char *speaker)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", time, speaker);
}

/* The index of the parent of the row @stmt is on, -1 for a thread start. */
static gint
parent_index (sqlite3_stmt *stmt, GHashTable *index)
{
  if (sqlite3_column_type (stmt, 2) == SQLITE_NULL || sqlite3_column_type (stmt, 3) == SQLITE_NULL
      || sqlite3_column_int (stmt, 4) == FALSE)
    return -1;
  g_autofree char *id
    = line_id (sqlite3_column_int64 (stmt, 2), (const char *) sqlite3_column_text (stmt, 3));
  gpointer found = NULL;
  if (!g_hash_table_lookup_extended (index, id, NULL, &found))
    return -1;
  return GPOINTER_TO_INT (found);
}

/* Appends the row @stmt is on to @lines. */
static void
append_line (sqlite3_stmt *stmt, GArray *lines, GStringChunk *strings, GHashTable *index)
{
  gint64 time = sqlite3_column_int64 (stmt, 0);
  const char *speaker = (const char *) sqlite3_column_text (stmt, 1);
  SbRoomLine line = {
    .time = time,
    .speaker = speaker[0] != '\0' ? g_string_chunk_insert_const (strings, speaker) : NULL,
    .parent = parent_index (stmt, index),
  };
  g_hash_table_insert (index, line_id (time, speaker), GINT_TO_POINTER ((gint) lines->len));
  g_array_append_val (lines, line);
}

/* Appends the lines of the room @id at or after @since. */
static gboolean
load_lines (SbStore *store, gint64 id, gint64 since, GArray *lines, GStringChunk *strings,
            GError **error)
{
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_LOAD_ROOM_LINES,
    "SELECT l.time, s.member, l.parent_time, p.member, l.confident FROM room_lines l"
    " JOIN room_members s ON s.id = l.speaker_id"
    " LEFT JOIN room_members p ON p.id = l.parent_speaker_id"
    " WHERE l.room_id = ?1 AND l.time >= ?2 ORDER BY l.time, l.id",
    error);
  if (!sb_store_bind (stmt, "II", id, since))
    return FALSE;
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    append_line (stmt, lines, strings, index);
  return sb_store_rows_done (stmt, rc, "cannot load room lines", error);
}

gboolean
sb_store_load_room_lines (SbStore *store, const SbRoomKey *room, gint64 since, GArray *lines,
                          GStringChunk *strings, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (room_key_valid (room), FALSE);
  g_return_val_if_fail (lines != NULL && strings != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (lines) == sizeof (SbRoomLine), FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  g_autoptr (GError) local = NULL;
  gint64 id = find_room (store, room, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return id == 0 || load_lines (store, id, since, lines, strings, error);
}

gboolean
sb_store_room_stats (SbStore *store, const SbRoomKey *room, gint64 since, SbRoomStats *stats,
                     GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (room_key_valid (room), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (SbRoomLine));
  GStringChunk *strings = g_string_chunk_new (256);
  gboolean ok = sb_store_load_room_lines (store, room, since - SB_ROOM_ANSWER_WITHIN_S, lines,
                                          strings, error);
  if (ok)
    sb_room_stats_compute ((const SbRoomLine *) (gpointer) lines->data, lines->len, since, stats);
  g_string_chunk_free (strings);
  return ok;
}

gboolean
sb_store_foreach_room (SbStore *store, gint64 since, SbStoreRoomFunc func, gpointer user_data,
                       GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  /* A fresh statement: @func may read the store (sb_store_room_stats()). */
  g_autoptr (sqlite3_stmt) stmt = sb_store_prepare (
    store,
    "SELECT r.protocol, r.account, r.room FROM rooms r WHERE EXISTS (SELECT 1 FROM room_lines l"
    " WHERE l.room_id = r.id AND l.time >= ?1)",
    "cannot list rooms", error);
  if (!sb_store_bind (stmt, "I", since))
    return FALSE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbRoomKey room = {
        .protocol = (const char *) sqlite3_column_text (stmt, 0),
        .account = (const char *) sqlite3_column_text (stmt, 1),
        .room = (const char *) sqlite3_column_text (stmt, 2),
      };
      if (!func (&room, user_data))
        return TRUE;
    }
  return sb_store_rows_done (stmt, rc, "cannot list rooms", error);
}

/* The ids of @buddy and of the user as members on the buddy's account, 0
 * for one that never spoke in a room there; FALSE with @error. */
static gboolean
find_pair (SbStore *store, const SbBuddyKey *buddy, gint64 *them, gint64 *you, GError **error)
{
  g_autoptr (GError) local = NULL;
  *them = find_member (store, buddy->protocol, buddy->account, buddy->buddy, &local);
  *you = local == NULL ? find_member (store, buddy->protocol, buddy->account, NULL, &local) : 0;
  if (local == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

gboolean
sb_store_room_member_counts (SbStore *store, const SbBuddyKey *buddy, gint64 since,
                             guint *answered_you, guint *you_answered, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (buddy != NULL, FALSE);
  g_return_val_if_fail (answered_you != NULL && you_answered != NULL, FALSE);

  *answered_you = *you_answered = 0;
  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  gint64 them = 0, you = 0;
  if (!find_pair (store, buddy, &them, &you, error))
    return FALSE;
  if (them == 0 || you == 0)
    return TRUE;
  /* ?1 them, ?2 you; ?3: a confident link (TRUE). */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_MEMBER_COUNTS,
    "SELECT coalesce (sum (speaker_id = ?1), 0), coalesce (sum (speaker_id = ?2), 0)"
    " FROM room_lines WHERE confident = ?3 AND time >= ?4"
    " AND ((speaker_id = ?1 AND parent_speaker_id = ?2)"
    "   OR (speaker_id = ?2 AND parent_speaker_id = ?1))",
    error);
  gint64 counts[2] = { 0 };
  if (!sb_store_bind (stmt, "IIiI", them, you, TRUE, since)
      || !sb_store_query_row (stmt, counts, 2, "cannot count room answers", error))
    return FALSE;
  *answered_you = (guint) counts[0];
  *you_answered = (guint) counts[1];
  return TRUE;
}

gboolean
sb_store_answered_each_other (SbStore *store, const SbBuddyKey *a, const SbBuddyKey *b,
                              gint64 since, gboolean *answered, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  g_return_val_if_fail (answered != NULL, FALSE);

  *answered = FALSE;
  if (!sb_store_flush_for_read (store, error))
    return FALSE;
  /* Members of one account (x, y); ?5: a confident link (TRUE). */
  sqlite3_stmt *stmt = sb_store_statement (
    store, STMT_ANSWERED_EACH_OTHER,
    "SELECT EXISTS (SELECT 1 FROM room_members x JOIN room_members y"
    "   ON y.protocol = x.protocol AND y.account = x.account"
    " JOIN room_lines l ON (l.speaker_id = x.id AND l.parent_speaker_id = y.id)"
    "   OR (l.speaker_id = y.id AND l.parent_speaker_id = x.id)"
    " WHERE x.protocol = ?1 AND x.member = ?2 AND y.protocol = ?3 AND y.member = ?4"
    "   AND l.confident = ?5 AND l.time >= ?6)",
    error);
  return sb_store_bind (stmt, "ssssiI", a->protocol, a->buddy, b->protocol, b->buddy, TRUE, since)
         && sb_store_query_exists (stmt, answered, "cannot look for room answers", error);
}

/* The member rows of buddy ?1, as SQL shared by the two statements below. */
#define BUDDY_MEMBERS                                                                             \
  "SELECT m.id FROM room_members m JOIN buddies b ON m.protocol = b.protocol"                    \
  " AND m.account = b.account AND m.member = b.buddy WHERE b.id = ?1"

gboolean
sb_store_forget_room_member (SbConnection *connection, gint64 buddy_id, GError **error)
{
  /* Lines that answered the buddy stay, as lines that start a thread (?2: FALSE). */
  sqlite3_stmt *stmt = sb_connection_statement (
    connection, STMT_UNLINK_ROOM_MEMBER,
    "UPDATE room_lines SET parent_time = NULL, parent_speaker_id = NULL, confident = ?2"
    " WHERE parent_speaker_id IN (" BUDDY_MEMBERS ")",
    error);
  if (!sb_store_bind (stmt, "Ii", buddy_id, FALSE)
      || !sb_store_step_done (stmt, "cannot forget room answers", error))
    return FALSE;
  /* The buddy's own lines go with the member row (ON DELETE CASCADE). */
  stmt = sb_connection_statement (connection, STMT_FORGET_ROOM_MEMBER,
                                  "DELETE FROM room_members WHERE id IN (" BUDDY_MEMBERS ")",
                                  error);
  return sb_store_bind (stmt, "I", buddy_id)
         && sb_store_step_done (stmt, "cannot forget room lines", error);
}
