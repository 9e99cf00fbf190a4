/* sb-room.c: a room's lines and reply links become the figures of
 * docs/design.md, "Group chats".
 *
 * One pass in arrival order.  Each of the user's lines that starts a thread is
 * a root; the user's lines that answer the user's own belong to that root's
 * thread.  Another member's line that links into a thread within
 * SB_ROOM_ANSWER_WITHIN_S of its root answers it (the first such line gives the
 * answer time).  Lines that answer across people are counted per member, both
 * ways.
 */
#include "smileback/sb-room.h"
#include "smileback/sb-stats.h"

#include <string.h>

static void
room_member_free (SbRoomMember *member)
{
  g_free (member->member);
  g_free (member);
}

/* The counters of @key in @stats, created on first use. */
static SbRoomMember *
member_of (SbRoomStats *stats, GHashTable *index, const char *key)
{
  SbRoomMember *member = g_hash_table_lookup (index, key);
  if (member == NULL)
    {
      member = g_new0 (SbRoomMember, 1);
      member->member = g_strdup (key);
      g_ptr_array_add (stats->members, member);
      g_hash_table_insert (index, member->member, member);
    }
  return member;
}

/* The line @line answers, or -1: a link must point strictly backwards. */
static gint
parent_of (const SbRoomLine *lines, guint line)
{
  gint parent = lines[line].parent;
  return parent >= 0 && (guint) parent < line ? parent : -1;
}

/* The root of the user's thread that user line @line belongs to, or -1 when
 * the line answers another member (it then starts no thread of its own). */
static gint
thread_root (const SbRoomLine *lines, const gint *roots, guint line)
{
  gint parent = parent_of (lines, line);
  if (parent < 0)
    return (gint) line;
  if (lines[parent].speaker == NULL)
    return roots[parent] >= 0 ? roots[parent] : (gint) line;
  return -1;
}

/* Most answering members first, then the ones the user answers most. */
static gint
compare_members (gconstpointer pa, gconstpointer pb)
{
  const SbRoomMember *a = *(SbRoomMember *const *) pa;
  const SbRoomMember *b = *(SbRoomMember *const *) pb;
  if (a->answered_you != b->answered_you)
    return a->answered_you > b->answered_you ? -1 : 1;
  if (a->you_answered != b->you_answered)
    return a->you_answered > b->you_answered ? -1 : 1;
  return strcmp (a->member, b->member);
}

typedef struct
{
  SbRoomStats *stats;
  GHashTable *members;  /* member key -> SbRoomMember, borrowed from stats */
  gint *roots;          /* per line: its thread root for the user's lines, else -1 */
  gboolean *answered;   /* per line: this root was answered in time */
  GArray *answer_times; /* gint64: first-answer times of answered threads */
} Pass;

static void
count_user_line (Pass *pass, const SbRoomLine *lines, guint i, gint64 since)
{
  gint root = thread_root (lines, pass->roots, i);
  pass->roots[i] = root;
  if (lines[i].time < since)
    return;
  pass->stats->your_messages++;
  if (root == (gint) i)
    pass->stats->your_threads++;
  gint parent = parent_of (lines, i);
  if (root < 0 && parent >= 0)
    {
      pass->stats->you_answered++;
      member_of (pass->stats, pass->members, lines[parent].speaker)->you_answered++;
    }
}

static void
count_member_line (Pass *pass, const SbRoomLine *lines, guint i, gint64 since)
{
  gint parent = parent_of (lines, i);
  pass->roots[i] = -1;
  if (lines[i].time < since || parent < 0 || lines[parent].speaker != NULL)
    return;
  member_of (pass->stats, pass->members, lines[i].speaker)->answered_you++;

  gint root = pass->roots[parent];
  if (root < 0 || pass->answered[root] || lines[root].time < since)
    return;
  gint64 waited = lines[i].time - lines[root].time;
  if (waited < 0 || waited > SB_ROOM_ANSWER_WITHIN_S)
    return;
  pass->answered[root] = TRUE;
  pass->stats->answered_threads++;
  g_array_append_val (pass->answer_times, waited);
}

void
sb_room_stats_compute (const SbRoomLine *lines, guint n, gint64 since, SbRoomStats *stats)
{
  g_return_if_fail (stats != NULL);
  g_return_if_fail (lines != NULL || n == 0);

  memset (stats, 0, sizeof *stats);
  stats->median_answer_s = -1;
  stats->members = g_ptr_array_new_with_free_func ((GDestroyNotify) room_member_free);

  g_autoptr (GHashTable) members = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gint *roots = g_new (gint, n + 1);
  g_autofree gboolean *answered = g_new0 (gboolean, n + 1);
  g_autoptr (GArray) answer_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  Pass pass = { stats, members, roots, answered, answer_times };

  for (guint i = 0; i < n; i++)
    {
      if (lines[i].time >= since)
        stats->messages++;
      if (lines[i].speaker == NULL)
        count_user_line (&pass, lines, i, since);
      else
        count_member_line (&pass, lines, i, since);
    }

  stats->median_answer_s = sb_stats_median ((gint64 *) (void *) answer_times->data,
                                            answer_times->len);
  g_ptr_array_sort (stats->members, compare_members);
}

void
sb_room_stats_clear (SbRoomStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->members, g_ptr_array_unref);
  memset (stats, 0, sizeof *stats);
  stats->median_answer_s = -1;
}

const SbRoomMember *
sb_room_stats_find_member (const SbRoomStats *stats, const char *member)
{
  g_return_val_if_fail (stats != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);
  for (guint i = 0; stats->members != NULL && i < stats->members->len; i++)
    {
      const SbRoomMember *candidate = g_ptr_array_index (stats->members, i);
      if (strcmp (candidate->member, member) == 0)
        return candidate;
    }
  return NULL;
}

double
sb_room_stats_answered_share (const SbRoomStats *stats)
{
  g_return_val_if_fail (stats != NULL, -1);
  if (stats->your_threads == 0)
    return -1;
  return (double) stats->answered_threads / (double) stats->your_threads;
}
