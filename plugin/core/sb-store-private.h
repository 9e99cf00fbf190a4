/* sb-store-private.h: what the store's files share, and nothing else sees.
 *
 * The store is one object split by concept: sb-store.c (opening, checks,
 * closing, the secret, and the statement helpers below), sb-store-schema.c
 * (the tables and their migrations), sb-store-writer.c (the write queue and
 * the writer thread), sb-store-ops.c (what each queued write does, the bulk
 * insert), sb-store-ids.c (provisional ids for rows queued but not yet
 * written), sb-store-history.c (buddies, events, episodes,
 * summaries, import marks), sb-store-prompts.c (the planner's memory:
 * prompts, pairs, group chats) and sb-store-rooms.c (group-chat lines and who
 * answered whom).  Every statement's SQL lives beside the one
 * function that runs it; values, enum values included, are bound as ?N.
 */
#pragma once

#include "smileback/sb-store.h"

#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Size of the profile secret, in bytes (sb_store_get_secret()). */
#define SB_STORE_SECRET_LEN 32

/* The cache slots of the statements prepared once and reused, per connection.
 * A slot always holds the same SQL: the one written at its only call site. */
typedef enum
{
  /* sb-store-ops.c */
  STMT_INSERT_EVENT,
  STMT_UPSERT_EPISODE,
  STMT_DELETE_EPISODES,
  STMT_UPSERT_SUMMARY,
  /* sb-store-history.c */
  STMT_LOOKUP_BUDDY,
  STMT_INSERT_BUDDY,
  STMT_LOAD_EPISODES,
  STMT_LOAD_EVENTS,
  STMT_LAST_EVENT_TIME,
  STMT_LAST_EPISODE_START,
  STMT_SET_TRACKED,
  STMT_FORGET_BUDDY,
  STMT_GET_FILE_MARK,
  STMT_SET_FILE_MARK,
  STMT_FLAG_AUTOMATED,
  /* sb-store-prompts.c */
  STMT_INSERT_CHAT_EVENT,
  STMT_FOREACH_PROMPT_STATE,
  STMT_SET_PROMPT_STATE,
  STMT_LOG_PROMPT,
  STMT_ANSWER_PROMPT,
  STMT_COUNT_PROMPTS,
  STMT_PROMPT_OUTCOMES,
  STMT_MARK_PAIR,
  STMT_PAIR_MARKS,
  STMT_SEEN_TOGETHER,
  STMT_INVITED_SINCE,
  STMT_INTRODUCTION_OUTCOMES,
  STMT_INVITATION_OUTCOMES,
  /* sb-store-rooms.c */
  STMT_INSERT_ROOM_LINE,
  STMT_LOOKUP_ROOM,
  STMT_INSERT_ROOM,
  STMT_LOOKUP_MEMBER,
  STMT_INSERT_MEMBER,
  STMT_LOAD_ROOM_LINES,
  STMT_MEMBER_COUNTS,
  STMT_ANSWERED_EACH_OTHER,
  STMT_UNLINK_ROOM_MEMBER,
  STMT_FORGET_ROOM_MEMBER,
  STMT_LAST
} SbStmt;

typedef enum
{
  OP_EVENT,
  OP_EPISODE,
  OP_DELETE_EPISODES,
  OP_SUMMARY,
  OP_ROOM_LINE,
  OP_BUDDY,           /* adds the buddy queued under a provisional id (sb_store_queue_buddy()) */
  OP_FLAG_AUTOMATED,  /* marks a received text automated (sb_store_queue_flag_automated()) */
  OP_ROOM,            /* adds the room queued under a provisional id (sb_store_add_room_line()) */
  OP_MEMBER,          /* adds the room member queued under a provisional id (the same) */
  OP_CHAT_EVENT,      /* a group-chat sighting (sb_store_add_chat_event()) */
  OP_LOG_PROMPT,      /* a prompt shown, under a provisional id (sb_store_log_prompt()) */
  OP_ANSWER_PROMPT,   /* the answer to a logged prompt (sb_store_answer_prompt()) */
  OP_PROMPT_STATE,    /* a (kind, buddy) snooze or mute (sb_store_set_prompt_state()) */
  OP_MARK_PAIR,       /* a pair of buddies marked (sb_store_mark_pair()) */
  OP_SET_TRACKED,     /* a buddy tracked or not (sb_store_set_tracked()) */
  OP_FILE_MARK,       /* a log file imported (sb_store_queue_file_mark()) */
} SbStoreOpKind;

/* A room line with its room and members as row ids or provisional ids, so a
 * queued write holds no strings. */
typedef struct
{
  gint64 room_id;
  gint64 time;
  gint64 speaker_id;
  guint64 digest;
  gint64 parent_time;
  gint64 parent_speaker_id; /* 0 when the line starts a thread */
  gboolean confident;
  SbSource source;
} SbRoomLineOp;

/* One queued write. */
typedef struct
{
  SbStoreOpKind kind;
  gint64 buddy_id;
  union
  {
    SbEvent event;
    SbEpisode episode;
    gint64 since;
    struct
    {
      SbCounts counts;
      gint64 last_event;
    } summary;
    SbRoomLineOp room_line;
    struct
    {
      gint64 time;
      guint64 digest;
    } flag;
    gboolean tracked;
    SbChatEvent chat; /* its strings interned in store->names */
    struct
    {
      gint64 id;   /* the prompt_log row: provisional for OP_LOG_PROMPT */
      int kind;    /* OP_LOG_PROMPT, OP_PROMPT_STATE */
      int answer;  /* OP_ANSWER_PROMPT */
      gint64 time; /* shown_at, answered_at or snoozed_until */
      gboolean muted;
    } prompt;
    struct
    {
      gint64 other; /* the second buddy, with buddy_id */
      SbPairMark mark;
      gint64 time;
    } pair;
    struct
    {
      const char *path; /* interned in store->names */
      gint64 size;
      gint64 mtime;
    } file_mark;
  };
} SbStoreOp;

/* A group-chat event queued as the @seq-th operation since open: the
 * invitations the user sent are answered from memory until committed. */
typedef struct
{
  guint64 seq;
  SbChatEvent event; /* its strings interned in store->names */
} SbQueuedChat;

/* A prompt shown, queued under its provisional id: counted by the store's
 * reads until the writer committed it. */
typedef struct
{
  gint64 id; /* provisional */
  int kind;
  gint64 shown_at;
} SbQueuedPrompt;

/* One SQLite connection and its prepared statements.  Each connection is used
 * by one thread only. */
typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *statements[STMT_LAST];
} SbConnection;

typedef struct _SbWriter SbWriter;
typedef struct _SbVerifier SbVerifier;

struct _SbStore
{
  SbConnection main; /* reads and the rare immediate writes, caller's thread */
  char *path;
  char *moved_aside;
  GArray *queue;     /* SbStoreOp not yet committed (":memory:" and read-only; a file
                      * store's operations go straight to the writer) */
  SbWriter *writer;  /* NULL for ":memory:" and read-only, where flushes are synchronous */
  SbVerifier *verifier; /* the owner's full check after a clean close, NULL otherwise */
  SbStoreMode mode;
  gboolean session_marked; /* the owner marked the file unclean for this session */
  guint64 queued;    /* operations queued since open (caller's thread) */
  GArray *group;     /* SbStoreOp queued since sb_store_begin_group(), not yet handed
                      * over; NULL outside a group (caller's thread) */
  /* Buddies queued under provisional ids, shared with the writer thread. */
  GMutex ids_lock;
  gint64 next_provisional;  /* the last provisional id given out: -1, -2, ... */
  GHashTable *provisional;  /* provisional id (gint64 *) -> SbBuddyKey * (for a room or a
                             * member: its name in .buddy), for the session */
  GHashTable *resolved;     /* provisional id (gint64 *) -> its row id (gint64 *), once
                             * committed */
  /* Caller's thread only: */
  GHashTable *queued_ids;   /* "kind protocol account name" -> the provisional id (gint64 *)
                             * a buddy, room or member was queued under */
  GStringChunk *names;      /* the strings queued writes point to, for the session */
  gboolean nonblocking;     /* reads see committed rows only (sb_store_set_nonblocking()) */
  GArray *sent_invites;     /* SbQueuedChat: invitations queued and not known committed */
  GArray *shown_prompts;    /* SbQueuedPrompt: prompts shown and not known committed */
  guint8 secret[SB_STORE_SECRET_LEN];
  int schema_version;
};

/* sb-store.c: connections and statements. */

/* Opens @path on @connection; the file must exist. */
G_GNUC_INTERNAL gboolean sb_connection_open (SbConnection *connection, const char *path,
                                             GError **error);
/* Finalizes the statements and closes.  Safe on a connection never opened. */
G_GNUC_INTERNAL void sb_connection_close (SbConnection *connection);
/* Runs fixed SQL (no values); FALSE with @error. */
G_GNUC_INTERNAL gboolean sb_connection_exec (SbConnection *connection, const char *sql,
                                             GError **error);
/* Runs @what inside BEGIN IMMEDIATE ... COMMIT on @connection, rolling back
 * when @what or the commit fails: all or nothing. */
typedef gboolean (*SbTransactionFunc) (SbConnection *connection, gpointer data, GError **error);
G_GNUC_INTERNAL gboolean sb_connection_transaction (SbConnection *connection,
                                                    SbTransactionFunc what, gpointer data,
                                                    GError **error);
/* The cached statement of slot @which (prepared from @sql on first use), reset
 * and with its bindings cleared; NULL with @error. */
G_GNUC_INTERNAL sqlite3_stmt *sb_connection_statement (SbConnection *connection, SbStmt which,
                                                       const char *sql, GError **error);
/* sb_connection_statement() on the caller's connection. */
G_GNUC_INTERNAL sqlite3_stmt *sb_store_statement (SbStore *store, SbStmt which, const char *sql,
                                                  GError **error);
/* A fresh statement (not cached), for loops whose callback may call back into
 * the store; NULL with @error prefixed by @what.  Free with sqlite3_finalize(). */
G_GNUC_INTERNAL sqlite3_stmt *sb_store_prepare (SbStore *store, const char *sql, const char *what,
                                                GError **error);
/* Sets @error from SQLite result @rc, prefixed by @what: SB_STORE_ERROR_BUSY
 * for a lock, SB_STORE_ERROR_FULL when the disk or the file size limit
 * refused a write (@db's system errno says which), and so on. */
G_GNUC_INTERNAL void sb_store_set_sqlite_error (sqlite3 *db, int rc, const char *what,
                                                GError **error);
/* Steps a statement that returns no rows; FALSE with @error otherwise. */
G_GNUC_INTERNAL gboolean sb_store_step_done (sqlite3_stmt *stmt, const char *what,
                                             GError **error);
/* Steps a one-row statement and reads @n integer columns into @values. */
G_GNUC_INTERNAL gboolean sb_store_query_row (sqlite3_stmt *stmt, gint64 *values, int n,
                                             const char *what, GError **error);
/* Finishes a row loop: resets @stmt, and turns a last step other than
 * SQLITE_DONE into @error.  Returns rc == SQLITE_DONE. */
G_GNUC_INTERNAL gboolean sb_store_rows_done (sqlite3_stmt *stmt, int rc, const char *what,
                                             GError **error);
/* Steps a bound one-row EXISTS statement into *@exists. */
G_GNUC_INTERNAL gboolean sb_store_query_exists (sqlite3_stmt *stmt, gboolean *exists,
                                                const char *what, GError **error);
/* Binds ?1, ?2, ... of @stmt, one a letter of @types: 'i' int, 'I' gint64, 's' text (NULL: SQL
 * NULL; not copied, so it must outlive the step), '-' left as is.  FALSE when @stmt is NULL. */
G_GNUC_INTERNAL gboolean sb_store_bind (sqlite3_stmt *stmt, const char *types, ...);
/* Runs a fixed one-integer query such as a PRAGMA. */
G_GNUC_INTERNAL gboolean sb_store_query_int (SbStore *store, const char *sql, gint64 *value,
                                             GError **error);

/* sb-store-schema.c */

/* Brings the open file to SB_STORE_SCHEMA_VERSION, one transaction per step;
 * SB_STORE_ERROR_TOO_NEW for a newer file. */
G_GNUC_INTERNAL gboolean sb_store_migrate (SbStore *store, GError **error);

/* sb-store-rooms.c */

/* The row id of the room or member @key names (its name in .buddy), added
 * when missing, on @connection; 0 with @error. */
G_GNUC_INTERNAL gint64 sb_connection_add_room (SbConnection *connection, const SbBuddyKey *key,
                                               GError **error);
G_GNUC_INTERNAL gint64 sb_connection_add_member (SbConnection *connection, const SbBuddyKey *key,
                                                 GError **error);
/* Writes one queued room line on @connection (the writer's, or the main one
 * for ":memory:"); a line already stored is ignored. */
G_GNUC_INTERNAL gboolean sb_store_write_room_line (SbConnection *connection,
                                                   const SbRoomLineOp *line, GError **error);
/* Deletes the room lines of the buddy @buddy_id (as a member on its account)
 * and unlinks the lines that answered them.  Inside the caller's transaction. */
G_GNUC_INTERNAL gboolean sb_store_forget_room_member (SbConnection *connection, gint64 buddy_id,
                                                      GError **error);

/* sb-store-prompts.c */

/* Writes one queued prompt, answer, state, pair or chat event on @connection,
 * its buddy ids already committed row ids; an OP_LOG_PROMPT gives its new row
 * id in *@row. */
G_GNUC_INTERNAL gboolean sb_store_write_planner_op (SbConnection *connection, const SbStoreOp *op,
                                                    gint64 *row, GError **error);

/* sb-store-history.c */

/* The row id of @key on @connection, added when missing and @create; 0 with
 * no error when absent and !@create, 0 with @error on failure. */
G_GNUC_INTERNAL gint64 sb_connection_lookup_buddy (SbConnection *connection, const SbBuddyKey *key,
                                                   gboolean create, GError **error);
/* Sets the import mark of the log file @path on @connection. */
G_GNUC_INTERNAL gboolean sb_connection_set_file_mark (SbConnection *connection, const char *path,
                                                      gint64 size, gint64 mtime, GError **error);
/* Sets whether the buddy @buddy_id is tracked, on @connection. */
G_GNUC_INTERNAL gboolean sb_connection_set_tracked (SbConnection *connection, gint64 buddy_id,
                                                    gboolean tracked, GError **error);
/* Marks the received text of @buddy_id at @time with @digest automated on
 * @connection; *@changed (may be NULL) says whether a row changed. */
G_GNUC_INTERNAL gboolean sb_connection_flag_automated (SbConnection *connection, gint64 buddy_id,
                                                       gint64 time, guint64 digest,
                                                       gboolean *changed, GError **error);

/* sb-store-verify.c */

/* Starts PRAGMA quick_check(1) of @path on a thread and a read-only
 * connection of its own.  NULL with @error when the file cannot be opened. */
G_GNUC_INTERNAL SbVerifier *sb_store_verifier_start (const char *path, GError **error);
/* Its verdict so far; *@problem (may be NULL) borrows SQLite's complaint
 * when DAMAGED.  Never blocks. */
G_GNUC_INTERNAL SbStoreCheck sb_store_verifier_get (SbVerifier *verifier, const char **problem);
/* Interrupts the check if it still runs, waits for the thread, frees. */
G_GNUC_INTERNAL void sb_store_verifier_stop (SbVerifier *verifier);

/* sb-store-ids.c */

/* The row ids a batch being written gives to provisional ids: published to
 * the store (sb_batch_ids_publish()) only once the batch is committed. */
typedef struct
{
  SbStore *store;
  GHashTable *resolved; /* provisional id (gint64 *) -> row id (gint64 *), this batch */
} SbBatchIds;

/* The committed row id of @buddy_id: itself when it is one (> 0), the row id
 * a provisional id was given once its buddy was committed, 0 before that. */
G_GNUC_INTERNAL gint64 sb_store_row_id (SbStore *store, gint64 buddy_id);
/* The provisional-id tables: made on open, freed on close. */
G_GNUC_INTERNAL void sb_store_ids_init (SbStore *store);
G_GNUC_INTERNAL void sb_store_ids_clear (SbStore *store);
/* The id the buddy, room or member @key names (@kind OP_BUDDY, OP_ROOM or
 * OP_MEMBER) was queued under this session, 0 when it was not. */
G_GNUC_INTERNAL gint64 sb_store_queued_id (SbStore *store, SbStoreOpKind kind,
                                           const SbBuddyKey *key);
/* A fresh provisional id for @key in the table of @kind, remembered for
 * sb_store_queued_id() and sb_store_provisional_key(); nothing is queued. */
G_GNUC_INTERNAL gint64 sb_store_new_provisional_row (SbStore *store, SbStoreOpKind kind,
                                                     const SbBuddyKey *key);
/* The key queued under the provisional id @id (borrowed), NULL when none. */
G_GNUC_INTERNAL SbBuddyKey *sb_store_provisional_key (SbStore *store, gint64 id);
/* A fresh provisional id for a row an operation adds (a logged prompt). */
G_GNUC_INTERNAL gint64 sb_store_new_provisional (SbStore *store);
/* @s, kept for the session, for a queued write to point to. */
G_GNUC_INTERNAL const char *sb_store_intern (SbStore *store, const char *s);
/* An empty SbBatchIds for a batch about to be written to @store. */
G_GNUC_INTERNAL void sb_batch_ids_init (SbBatchIds *ids, SbStore *store);
G_GNUC_INTERNAL void sb_batch_ids_clear (SbBatchIds *ids);
/* Remembers that the provisional id @id is the row @row, in this batch. */
G_GNUC_INTERNAL void sb_batch_ids_resolve (SbBatchIds *ids, gint64 id, gint64 row);
/* The row id @id (of a buddy, room, member or prompt) stands for: given in
 * this batch or committed before; 0 with @error when never added. */
G_GNUC_INTERNAL gint64 sb_batch_ids_row_id (SbBatchIds *ids, gint64 id, GError **error);
/* After the batch's commit: its ids resolved for everyone. */
G_GNUC_INTERNAL void sb_batch_ids_publish (SbBatchIds *ids);

/* sb-store-ops.c */

/* Writes @ops in order on @connection, inside the caller's transaction. */
G_GNUC_INTERNAL gboolean sb_store_write_op_list (SbConnection *connection, SbBatchIds *ids,
                                                 const SbStoreOp *ops, guint n, GError **error);
/* Writes @ops in one IMMEDIATE transaction on @connection, all or nothing,
 * and publishes the ids they gave. */
G_GNUC_INTERNAL gboolean sb_store_write_ops (SbStore *store, SbConnection *connection,
                                             const SbStoreOp *ops, guint n, GError **error);

/* sb-store-writer.c */

/* Before a read: the queue committed, unless the store is nonblocking (then
 * reads see committed rows only and never wait for the writer). */
G_GNUC_INTERNAL gboolean sb_store_flush_for_read (SbStore *store, GError **error);
/* FALSE with SB_STORE_ERROR_FULL while the queue is full
 * (sb_store_queue_full()): a write past the bound is not recorded. */
G_GNUC_INTERNAL gboolean sb_store_check_room (SbStore *store, GError **error);
/* Appends @op to the queue for the next flush. */
G_GNUC_INTERNAL void sb_store_queue_op (SbStore *store, const SbStoreOp *op);
/* Queues "add @key" to the table of @kind (as sb_store_queued_id()) and
 * returns its provisional id. */
G_GNUC_INTERNAL gint64 sb_store_queue_row (SbStore *store, SbStoreOpKind kind,
                                           const SbBuddyKey *key);
/* Starts the background writer on its own connection to store->path. */
G_GNUC_INTERNAL gboolean sb_store_writer_start (SbStore *store, GError **error);
/* Stops the writer thread and frees it; what it held uncommitted is dropped. */
G_GNUC_INTERNAL void sb_store_writer_stop (SbWriter *writer);

G_END_DECLS
