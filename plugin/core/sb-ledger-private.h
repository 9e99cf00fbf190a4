/* sb-ledger-private.h: what the ledger's files share, and nothing else sees.
 *
 * The ledger is one object split by concept: sb-ledger.c (opening, loading,
 * the public calls, figures), sb-ledger-segment.c (the tail of recent events
 * and re-segmentation, in memory or from the store, and the events held
 * for it), sb-ledger-automated.c (automated-message detection, live and
 * after an import) and sb-ledger-journal.c (what could not be saved, kept
 * beside the database and replayed).
 */
#pragma once

#include "smileback/sb-ledger.h"

G_BEGIN_DECLS

/* The tail is bounded so a chatty buddy costs constant memory; an event older
 * than the tail simply takes the slower store path. */
#define TAIL_MAX 512

typedef struct
{
  SbBuddyKey *key; /* owned; also the hash table's key */
  gint64 id;       /* buddies.id, or the store's provisional id until it is committed */
  gint64 queued_id; /* the provisional id it had, once it has its row id; 0 otherwise */
  gboolean tracked;
  SbCounts all;       /* exact all-time counts */
  gint64 last_event;  /* latest event of any kind, 0 when none */
  gint64 stored_last; /* the latest stored event's time, read once (rows_read) */
  gboolean rows_read; /* stored_last was read from the store this session */
  GArray *recent;     /* SbEpisode by start: the recent past and always the latest */
  GArray *tail;       /* SbEvent by time: every event of this buddy newer than tail_floor */
  GHashTable *tail_set; /* the tail's events again (SbEvent *, owned), to find one at once
                         * however many share its second */
  gint64 tail_floor;  /* events at or before this time are only in the store */
  SbStats stats;      /* valid unless stats_dirty */
  gboolean stats_dirty;
  /* Events that need the store to be placed (older than the tail, or an
   * out-of-order one the tail cannot re-segment), held until what was queued
   * before them is committed, so placing them never waits on the store
   * (sb_ledger_place_held()).  NULL when none. */
  GArray *held;        /* SbEvent, not queued yet */
  gint64 held_from;    /* re-segment from the episode this time falls into */
  guint64 held_after;  /* sb_store_get_queued() when the first was held */
} SbLedgerBuddy;

/* A stored received text, for automated-message detection after an import. */
typedef struct
{
  SbEvent event; /* time, digest and flags */
  gint64 buddy_id;
} TextRow;

/* A received text seen recently, for automated-message detection. */
typedef struct
{
  gint64 buddy_id;
  gint64 time;
  gboolean flagged;
} Sighting;

struct _SbLedger
{
  SbStore *store;
  char *path;          /* the database's, for the journal */
  SbParams params;
  GHashTable *buddies; /* SbBuddyKey * -> SbLedgerBuddy * */
  GHashTable *by_id;   /* buddies.id (gint64 *) -> SbLedgerBuddy *, borrowed */
  GHashTable *sightings; /* digest (guint64 *) -> GArray of Sighting, the last window only */
  GArray *added_texts;   /* TextRow: the received texts recorded since the store's mark
                          * was set (sb_ledger_add_events() set it) */
  gint64 added_first, added_last; /* the range of their times */
  gboolean texts_unchecked; /* the store's mark (sb_store_set_texts_unchecked()) is set */
  gboolean texts_before;    /* the store held received texts when it was set */
  gboolean check_all;       /* the next check looks at all stored texts: the mark was set
                             * when the ledger opened (an earlier session's texts), or
                             * the last check failed with texts in hand */
  gint64 now;          /* the last "now" seen, for recomputing figures */
  GArray *scratch;     /* gint64 room for sb_stats_compute_with_scratch() */
  char *moved_aside;   /* where a file damaged beyond the open-time check went */
  SbLedgerChangedFunc changed_func;
  gpointer changed_data;
  GPtrArray *unresolved; /* SbLedgerBuddy * still under a provisional id, borrowed */
  GPtrArray *holding;    /* SbLedgerBuddy * with held events, borrowed */
  guint n_held;          /* held events of all buddies */
  gboolean nonblocking;  /* sb_ledger_set_nonblocking(): hold, never wait */
};

/* Marks the buddy's figures for recomputation on the next read: a burst of
 * messages costs one computation, and only if someone looks. */
static inline void
buddy_mark_dirty (SbLedgerBuddy *buddy)
{
  buddy->stats_dirty = TRUE;
}

/* Tells the ledger's owner that @buddy's figures changed. */
static inline void
notify_changed (SbLedger *ledger, SbLedgerBuddy *buddy)
{
  if (ledger->changed_func != NULL)
    ledger->changed_func (ledger, buddy->key, ledger->changed_data);
}

/* sb-ledger-segment.c */

/* Holds @event of @buddy (not a duplicate of one held or in the tail) until
 * the store has committed what was queued before; re-segments from
 * @from_time then.  Queues nothing and never touches the store. */
G_GNUC_INTERNAL void sb_ledger_hold (SbLedger *ledger, SbLedgerBuddy *buddy, const SbEvent *event,
                                     gint64 from_time);
/* TRUE when @buddy holds the same message as @event. */
G_GNUC_INTERNAL gboolean sb_ledger_holds (SbLedgerBuddy *buddy, const SbEvent *event);
/* Forgets @buddy's held events (placed, or the buddy forgotten). */
G_GNUC_INTERNAL void sb_ledger_release_held (SbLedger *ledger, SbLedgerBuddy *buddy);
/* The store's order of events (sb_store_load_events): time, direction, kind,
 * digest; for g_array_sort() and bsearch(). */
G_GNUC_INTERNAL int sb_ledger_compare_events (const void *a, const void *b);
/* Places the held events of every buddy whose earlier writes are committed:
 * reads what is committed (never waiting on the writer), re-segments, and
 * queues the result.  FALSE with @error when a read fails (the events stay
 * held). */
G_GNUC_INTERNAL gboolean sb_ledger_place_held (SbLedger *ledger, GError **error);

/* An empty tail (its set included) for a new buddy; freeing it. */
G_GNUC_INTERNAL void sb_ledger_tail_init (SbLedgerBuddy *buddy);
G_GNUC_INTERNAL void sb_ledger_tail_free (SbLedgerBuddy *buddy);
/* Empties the tail, with the floor at @floor. */
G_GNUC_INTERNAL void sb_ledger_tail_clear (SbLedgerBuddy *buddy, gint64 floor);
/* TRUE when the tail holds the same message as @event. */
G_GNUC_INTERNAL gboolean sb_ledger_tail_contains (SbLedgerBuddy *buddy, const SbEvent *event);
/* Inserts @event into the time-ordered tail, keeping it bounded. */
G_GNUC_INTERNAL void sb_ledger_tail_insert (SbLedgerBuddy *buddy, const SbEvent *event);
/* Re-segments from the episode @time falls into, reading the store (where the
 * events already are); the events since then become the tail. */
G_GNUC_INTERNAL gboolean sb_ledger_rebuild_from (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                 gint64 time, GError **error);
/* Re-segments in memory from the episode @time falls into; *@done FALSE when
 * the tail does not reach back far enough (then use sb_ledger_rebuild_from()). */
G_GNUC_INTERNAL gboolean sb_ledger_resegment_in_memory (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                        gint64 time, GError **error,
                                                        gboolean *done);
/* The fast path: @n events in store order, all newer than anything the buddy
 * has, extend its episodes in memory; each touched episode and the summary
 * are queued once. */
G_GNUC_INTERNAL void sb_ledger_append_in_order (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                const SbEvent *events, guint n);

/* A buddy's re-segmentation after some of its texts were flagged automated:
 * planned first, reading the store (sb_ledger_plan_resegment()), then
 * applied (sb_ledger_apply_resegment()), so planning for many buddies
 * commits nothing in between. */
typedef struct
{
  SbLedgerBuddy *buddy;
  gint64 from;    /* the start of the episode of the earliest flagged text */
  gint64 settled; /* the latest flagged text's time */
  GArray *old;    /* SbEpisode: the stored episodes since @from */
  GArray *fresh;  /* SbEpisode: what replaces them */
} SbResegment;

/* Plans @buddy's re-segmentation after its texts at @times (@n, sorted) were
 * flagged; sb_ledger_resegment_clear() frees it, applied or not. */
G_GNUC_INTERNAL gboolean sb_ledger_plan_resegment (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                   const gint64 *times, guint n,
                                                   SbResegment *plan, GError **error);
G_GNUC_INTERNAL gboolean sb_ledger_apply_resegment (SbLedger *ledger, SbResegment *plan,
                                                    GError **error);
G_GNUC_INTERNAL void sb_ledger_resegment_clear (SbResegment *plan);

/* sb-ledger.c */

/* Buddies added under a provisional id take their row id once it is
 * committed; the provisional id still finds them in by_id. */
G_GNUC_INTERNAL void sb_ledger_adopt_row_ids (SbLedger *ledger);

/* sb-ledger-automated.c */

/* TRUE when @event counts toward "sends automated messages". */
G_GNUC_INTERNAL gboolean sb_ledger_is_automated (const SbEvent *event);
/* Remembers the buddy's received texts of the last window, so detection
 * carries on across a restart. */
G_GNUC_INTERNAL gboolean sb_ledger_load_sightings (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                   GError **error);
/* Live detection for @event (not yet recorded): flags it, and the earlier
 * sightings of its text, once enough buddies sent it within the window. */
G_GNUC_INTERNAL gboolean sb_ledger_detect_live (SbLedger *ledger, SbLedgerBuddy *buddy,
                                                SbEvent *event, GError **error);
/* Before @events are recorded in bulk: when they hold a received text, sets
 * the store's mark that texts await sb_ledger_detect_automated(), so a
 * session that ends first leaves the check to the next. */
G_GNUC_INTERNAL gboolean sb_ledger_mark_unchecked (SbLedger *ledger, const SbEvent *events,
                                                   guint n, GError **error);
/* While the store's mark is set: remembers the received texts among @events
 * of @buddy_id that were recorded (@inserted; NULL: all), live or in bulk, for the next
 * sb_ledger_detect_automated(). */
G_GNUC_INTERNAL void sb_ledger_note_added_texts (SbLedger *ledger, gint64 buddy_id,
                                                 const SbEvent *events, const gboolean *inserted,
                                                 guint n);
/* Forgets sightings older than the window before @now. */
G_GNUC_INTERNAL void sb_ledger_prune_sightings (SbLedger *ledger, gint64 now);

G_END_DECLS
