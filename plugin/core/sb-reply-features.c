/* sb-reply-features.c: the reply scorer's features, weights and decision.
 *
 * The binary features of each option of a message (an earlier line in the
 * window, or the message itself as a new thread): who addresses whom, who is
 * still waiting for the speaker, the speaker's own last line, distance in
 * lines and in time, shared words, and for the new-thread option a greeting,
 * a question, the speaker's silence, a recent join, the room's pace; then the
 * learned weight table (see sb-reply.c) and the choice of the best option.
 */
#include "sb-reply-private.h"

#include <math.h>
#include <string.h>

/* ---- the feature table ------------------------------------------------- */

#define N_DIST 12
#define N_TIME 8
#define N_COARSE 4
#define N_ADDR 3   /* no address, a mention mid-message, a leading "nick:" */
#define N_LAST 6
#define N_LEN 4
#define N_PACE 4
#define N_OVER 4

#define N_OPENER 4 /* how a message opens: other, "and/but/also...", "thanks", "yes/no" */
#define N_RANK 4 /* c is its speaker's latest line in the window, 2nd, 3rd, older */

/* The feature templates: name, size, and what indexes them.  A is how the
 * message addresses the candidate's speaker (N_ADDR), B whether the
 * candidate addressed the message's speaker, S the same speaker. */
#define SB_REPLY_TEMPLATES(X)                                                    \
  X (DIST, "dist", N_DIST)                     /* [lines back] */                \
  X (MDIST, "message-dist", N_DIST)            /* [messages back] */             \
  X (TIME, "time", N_TIME)                     /* [time back] */                 \
  X (ABS, "A,B,S/dist", N_ADDR * 4 * N_DIST)   /* [A][B][S][dist] */             \
  X (ABS_TIME, "A,B,S/time", N_ADDR * 4 * N_TIME) /* [A][B][S][time] */          \
  X (OTHER, "m-other,c-other/dist", 4 * N_DIST) /* [m addresses another][c addresses another][dist] */ \
  X (PREV_RANK, "prev-own,c-rank/dist", 2 * N_RANK * N_DIST) /* [c is m's speaker's last][rank][dist] */ \
  X (A_RANK, "A,B,c-rank/coarse", N_ADDR * 2 * N_RANK * N_COARSE) /* [A][B][rank][coarse] */ \
  X (UNANSWERED, "unanswered,A/time", 2 * N_TIME) /* [A][time]: c addressed m's speaker, not answered since */ \
  X (ANSWERED, "answered-me/dist", N_DIST)     /* [dist]: c answered m's speaker */ \
  X (ADJACENT, "prev-same,next-same,S/coarse", 8 * N_COARSE) /* [the line before c is by c's speaker][the line after][S][coarse] */ \
  X (ANSWERS, "c-answers,c-question,S/coarse", 3 * 2 * 2 * N_COARSE) /* [lines that answered c: 0, 1, 2+][c asked][S][coarse] */ \
  X (COMMAND, "m-command,c-command,m-bot,c-bot/coarse", 16 * N_COARSE) /* [m is a "!command"][c is][m's speaker is a bot][c's][coarse] */ \
  X (OPENER, "m-opener,S,prev-own/coarse", N_OPENER * 4 * N_COARSE) /* [how m opens][S][c is m's speaker's last][coarse] */ \
  X (LENGTHS, "c-len,m-len,S/coarse", N_LEN * N_LEN * 2 * N_COARSE) /* [c's length][m's][S][coarse] */ \
  X (TALKED, "talked,A/rank/coarse", 2 * N_RANK * N_COARSE) /* [A > 0][rank][coarse]: the two spoke to each other in the window */ \
  X (PARTNER, "partner,A/rank/coarse", 2 * N_RANK * N_COARSE) /* [A > 0][rank][coarse]: c's speaker is whom m's speaker last answered */ \
  X (OVERLAP, "overlap,S/coarse", N_OVER * 2 * N_COARSE) /* [shared words][S][coarse] */ \
  X (SYSTEM, "system/dist", N_DIST)            /* [dist]: c is a system line */  \
  X (QUESTION, "c-question,S/coarse", 2 * N_COARSE) /* [S][coarse]: c asked */   \
  X (M_QUESTION, "m-question,S/coarse", 2 * N_COARSE) /* [S][coarse]: m asks */  \
  X (STARTS, "c-starts/coarse", N_COARSE)      /* [coarse]: c started a thread */ \
  X (SELF, "self", 1)                          /* the new-thread option's bias */ \
  X (SELF_ADDR, "self-addr/last", N_ADDR * N_LAST) /* [addr][since the speaker's last] */ \
  X (SELF_QUESTION, "self-question/last", 2 * N_LAST) /* [question][last] */     \
  X (SELF_GREETING, "self-greeting", 2)        /* [opens with a greeting] */     \
  X (SELF_OPENER, "self-opener", N_OPENER)     /* [how it opens] */              \
  X (SELF_WAITING, "self-waiting", 2)          /* [someone addressed the speaker, unanswered] */ \
  X (SELF_GAP, "self-gap", N_TIME)             /* [time since the room's last line] */ \
  X (SELF_LEN, "self-len", N_LEN)              /* [length] */                    \
  X (SELF_JOINED, "self-joined", 2)            /* [first message since joining] */ \
  X (SELF_PACE, "self-pace", N_PACE)           /* [messages in the last 5 minutes] */

#define SB_REPLY_OFFSET(id, name, size) F_##id, F_##id##_END = F_##id + (size) - 1,
enum
{
  SB_REPLY_TEMPLATES (SB_REPLY_OFFSET) N_FEATURES
};

#define SB_REPLY_ROW(id, name, size) { name, F_##id, size },
static const struct
{
  const char *name;
  guint offset, size;
} templates[] = { SB_REPLY_TEMPLATES (SB_REPLY_ROW) };

/* Learned by tests/bench/train-reply.c (see sb-reply.c's file comment);
 * regenerate with `train-reply CORPUS/data/train CORPUS/data/dev 5 > sb-reply-weights.inc`
 * after any change to the features above. */
static const float default_weights[] = {
#include "sb-reply-weights.inc"
};
G_STATIC_ASSERT (G_N_ELEMENTS (default_weights) == N_FEATURES);

guint
sb_reply_n_features (void)
{
  return N_FEATURES;
}

const float *
sb_reply_default_weights (void)
{
  return default_weights;
}

char *
sb_reply_feature_name (guint i)
{
  g_return_val_if_fail (i < N_FEATURES, NULL);
  for (gsize t = G_N_ELEMENTS (templates); t-- > 0;)
    if (i >= templates[t].offset)
      return templates[t].size == 1 ? g_strdup (templates[t].name)
                                    : g_strdup_printf ("%s[%u]", templates[t].name,
                                                       i - templates[t].offset);
  g_return_val_if_reached (NULL);
}

/* ---- bins ---------------------------------------------------------------- */

/* Lines back: 1 2 3 4 5 6-7 8-10 11-15 16-25 26-40 41-60 61+. */
static guint
dist_bin (gint64 dist)
{
  static const gint64 upper[N_DIST - 1] = { 1, 2, 3, 4, 5, 7, 10, 15, 25, 40, 60 };
  for (guint i = 0; i < N_DIST - 1; i++)
    if (dist <= upper[i])
      return i;
  return N_DIST - 1;
}

/* 1-2, 3-5, 6-15, 16+ lines back. */
static guint
coarse_bin (gint64 dist)
{
  return dist <= 2 ? 0 : dist <= 5 ? 1 : dist <= 15 ? 2 : 3;
}

/* Seconds apart, by whole minutes as logs with [HH:MM] stamps give them:
 * <1 min, 1, 2, 3-4, 5-9, 10-19, 20-59, 60+ minutes. */
static guint
time_bin (gint64 seconds)
{
  static const gint64 upper[N_TIME - 1] = { 59, 119, 179, 299, 599, 1199, 3599 };
  for (guint i = 0; i < N_TIME - 1; i++)
    if (seconds <= upper[i])
      return i;
  return N_TIME - 1;
}

/* Since the speaker's last message: never, <1 min, 1-2, 3-9, 10-59 min, 1 h+. */
static guint
last_bin (const Member *speaker, gint64 now)
{
  if (speaker == NULL || speaker->last_seq < 0)
    return 0;
  gint64 s = now - speaker->last_time;
  return s < 60 ? 1 : s < 180 ? 2 : s < 600 ? 3 : s < 3600 ? 4 : 5;
}

guint
sb_reply_length_bin (gsize length)
{
  return length < 20 ? 0 : length < 50 ? 1 : length < 100 ? 2 : 3;
}

/* ---- features ------------------------------------------------------------- */

static gboolean
entry_addresses (const Entry *e, const char *key)
{
  for (guint i = 0; i < e->n_targets; i++)
    if (g_str_equal (e->targets[i], key))
      return TRUE;
  return FALSE;
}

static gboolean
message_addresses (const Message *m, const char *key)
{
  for (guint i = 0; i < m->n_targets; i++)
    if (g_str_equal (m->targets[i], key))
      return TRUE;
  return FALSE;
}

static guint
shared_words (const Message *m, const Entry *c)
{
  guint shared = 0;
  for (guint i = 0; i < m->n_words; i++)
    for (guint j = 0; j < c->n_words; j++)
      if (m->words[i] == c->words[j])
        {
          shared++;
          break;
        }
  return shared;
}

/* How @m addresses @c's speaker: 0 not, 1 a mention, 2 a leading "nick:". */
static guint
address_kind (const Message *m, const Entry *c)
{
  if (!message_addresses (m, c->key))
    return 0;
  return m->lead_address && g_str_equal (m->targets[0], c->key) ? 2 : 1;
}

/* Where a candidate stands among the lines after it. */
typedef struct
{
  gint64 messages_back; /* messages (not system lines) from it to the message, itself included */
  gboolean talked;      /* its speaker and the message's spoke to each other in the window */
  guint prev_same;      /* the line before it is by its speaker */
  guint next_same;      /* the line after it (before the message) is by its speaker */
  guint rank;           /* lines its speaker said after it, up to N_RANK - 1 */
} Position;

/* The features of "@m answers the earlier line @c" into @f. */
static guint
candidate_features (const Message *m, const Entry *c, const Position *pos, guint16 *f)
{
  guint n = 0;
  gint64 dist = m->seq - c->seq;
  guint d = dist_bin (dist), cd = coarse_bin (dist);
  guint t = time_bin (MAX (0, m->time - c->time));
  if (c->system)
    {
      f[n++] = F_SYSTEM + d;
      return n;
    }
  f[n++] = F_DIST + d;
  f[n++] = F_MDIST + dist_bin (pos->messages_back);
  f[n++] = F_TIME + t;

  guint a = address_kind (m, c);
  guint b = entry_addresses (c, m->key);
  guint s = g_str_equal (c->key, m->key);
  guint abs = (a * 2 + b) * 2 + s;
  f[n++] = F_ABS + abs * N_DIST + d;
  f[n++] = F_ABS_TIME + abs * N_TIME + t;

  guint m_other = m->n_targets > 0 && a == 0;
  guint c_other = c->n_targets > 0 && !b;
  f[n++] = F_OTHER + (m_other * 2 + c_other) * N_DIST + d;

  guint prev_own = m->speaker != NULL && m->speaker->last_seq == c->seq;
  f[n++] = F_PREV_RANK + (prev_own * N_RANK + pos->rank) * N_DIST + d;
  f[n++] = F_A_RANK + ((a * 2 + b) * N_RANK + pos->rank) * N_COARSE + cd;

  if (b && (m->speaker == NULL || m->speaker->last_seq < c->seq))
    f[n++] = F_UNANSWERED + (a > 0) * N_TIME + t;
  if (c->parent_key != NULL && g_str_equal (c->parent_key, m->key))
    f[n++] = F_ANSWERED + d;
  f[n++] = F_OPENER + ((m->opener * 2 + s) * 2 + prev_own) * N_COARSE + cd;
  guint m_len = sb_reply_length_bin (m->length);
  f[n++] = F_LENGTHS + ((c->length_bin * N_LEN + m_len) * 2 + s) * N_COARSE + cd;
  f[n++] = F_COMMAND + (((guint) m->command * 2 + c->command) * 4 + m->bot * 2 + c->bot) * N_COARSE + cd;
  f[n++] = F_ANSWERS + ((MIN (c->n_children, 2) * 2 + c->question) * 2 + s) * N_COARSE + cd;
  f[n++] = F_ADJACENT + ((pos->prev_same * 2 + pos->next_same) * 2 + s) * N_COARSE + cd;
  if (pos->talked)
    f[n++] = F_TALKED + ((a > 0) * N_RANK + pos->rank) * N_COARSE + cd;
  if (m->partner != NULL && g_str_equal (c->key, m->partner))
    f[n++] = F_PARTNER + ((a > 0) * N_RANK + pos->rank) * N_COARSE + cd;
  f[n++] = F_OVERLAP + (MIN (shared_words (m, c), N_OVER - 1) * 2 + s) * N_COARSE + cd;
  if (c->question)
    f[n++] = F_QUESTION + s * N_COARSE + cd;
  if (m->question)
    f[n++] = F_M_QUESTION + s * N_COARSE + cd;
  if (c->parent == c->seq)
    f[n++] = F_STARTS + cd;
  return n;
}

static gboolean
same_speaker (const Entry *a, const Entry *b)
{
  return !a->system && !b->system && g_str_equal (a->key, b->key);
}

/* The nicks @m's speaker exchanged with in the window: whom their lines
 * addressed or answered, and who addressed or answered them. */
typedef struct
{
  const char *key[SB_REPLY_WINDOW * (SB_REPLY_MAX_TARGETS + 1)];
  guint n;
} Talked;

static void
talked_add (Talked *talked, const char *key)
{
  if (key == NULL)
    return;
  for (guint i = 0; i < talked->n; i++)
    if (g_str_equal (talked->key[i], key))
      return;
  talked->key[talked->n++] = key;
}

static gboolean
talked_with (const Talked *talked, const char *key)
{
  for (guint i = 0; i < talked->n; i++)
    if (g_str_equal (talked->key[i], key))
      return TRUE;
  return FALSE;
}

static void
collect_talked (SbReplyRoom *room, const Message *m, Talked *talked)
{
  gint64 back = MIN (room->n_lines, SB_REPLY_WINDOW);
  talked->n = 0;
  for (gint64 dist = 1; dist <= back; dist++)
    {
      const Entry *e = sb_reply_entry_at (room, m->seq - dist);
      if (e->system)
        continue;
      if (g_str_equal (e->key, m->key))
        {
          for (guint i = 0; i < e->n_targets; i++)
            talked_add (talked, e->targets[i]);
          talked_add (talked, e->parent_key);
        }
      else if (entry_addresses (e, m->key)
               || (e->parent_key != NULL && g_str_equal (e->parent_key, m->key)))
        talked_add (talked, e->key);
    }
}

/* Counts, newest first, the lines each speaker said in the window. */
typedef struct
{
  const char *key[SB_REPLY_WINDOW];
  guint count[SB_REPLY_WINDOW];
  guint n;
} SpeakerCounts;

/* How many lines @key said among those counted so far; counts one more. */
static guint
count_speaker (SpeakerCounts *counts, const char *key)
{
  for (guint i = 0; i < counts->n; i++)
    if (g_str_equal (counts->key[i], key))
      return counts->count[i]++;
  counts->key[counts->n] = key;
  counts->count[counts->n++] = 1;
  return 0;
}

/* Someone addressed @m's speaker in the window after their last message. */
static gboolean
speaker_is_waited_for (SbReplyRoom *room, const Message *m)
{
  gint64 back = MIN (room->n_lines, SB_REPLY_WINDOW);
  gint64 since = m->speaker != NULL ? m->speaker->last_seq : -1;
  for (gint64 dist = 1; dist <= back && m->seq - dist > since; dist++)
    {
      const Entry *c = sb_reply_entry_at (room, m->seq - dist);
      if (!c->system && entry_addresses (c, m->key))
        return TRUE;
    }
  return FALSE;
}

/* Messages in the five minutes before @m. */
static guint
room_pace (SbReplyRoom *room, const Message *m)
{
  gint64 back = MIN (room->n_lines, SB_REPLY_WINDOW);
  guint count = 0;
  for (gint64 dist = 1; dist <= back; dist++)
    {
      const Entry *c = sb_reply_entry_at (room, m->seq - dist);
      if (m->time - c->time > 300)
        break;
      count += !c->system;
    }
  return count <= 2 ? 0 : count <= 10 ? 1 : count <= 30 ? 2 : 3;
}

/* The features of "@m starts a new thread". */
static guint
self_features (SbReplyRoom *room, const Message *m, guint16 *f)
{
  guint n = 0;
  guint addr = m->n_targets == 0 ? 0 : m->lead_address ? 2 : 1;
  guint last = last_bin (m->speaker, m->time);
  f[n++] = F_SELF;
  f[n++] = F_SELF_ADDR + addr * N_LAST + last;
  f[n++] = F_SELF_QUESTION + (guint) m->question * N_LAST + last;
  f[n++] = F_SELF_GREETING + (guint) m->greeting;
  f[n++] = F_SELF_OPENER + m->opener;
  f[n++] = F_SELF_WAITING + (guint) speaker_is_waited_for (room, m);
  gint64 gap
    = room->n_lines > 0 ? m->time - sb_reply_entry_at (room, m->seq - 1)->time : G_MAXINT32;
  f[n++] = F_SELF_GAP + time_bin (MAX (0, gap));
  f[n++] = F_SELF_LEN + sb_reply_length_bin (m->length);
  gboolean joined = m->speaker != NULL && m->speaker->joined_seq > m->speaker->last_seq
                    && m->seq - m->speaker->joined_seq <= SB_REPLY_WINDOW;
  f[n++] = F_SELF_JOINED + (guint) joined;
  f[n++] = F_SELF_PACE + room_pace (room, m);
  return n;
}

/* ---- the decision ----------------------------------------------------------- */

static double
option_score (const float *weights, const SbReplyCandidate *option)
{
  double score = 0;
  for (guint i = 0; i < option->n_features; i++)
    score += weights[option->features[i]];
  return score;
}

/* Lists @m's options (itself first, then the window newest first), shows
 * them to the observer, and returns the best one's index in room->candidates
 * with its softmax share in *@confidence. */
guint
sb_reply_choose_parent (SbReplyRoom *room, const Message *m, double *confidence)
{
  SbReplyCandidate *options = room->candidates;
  guint n = 0;
  options[n].seq = m->seq;
  options[n].n_features = self_features (room, m, options[n].features);
  n++;
  gint64 back = MIN (room->n_lines, SB_REPLY_WINDOW);
  SpeakerCounts counts = { .n = 0 };
  Talked talked;
  collect_talked (room, m, &talked);
  Position pos = { 0 };
  for (gint64 dist = 1; dist <= back; dist++, n++)
    {
      const Entry *c = sb_reply_entry_at (room, m->seq - dist);
      if (!c->system)
        {
          pos.messages_back++;
          pos.rank = MIN (count_speaker (&counts, c->key), N_RANK - 1);
          pos.talked = talked_with (&talked, c->key);
          pos.next_same = dist > 1 && same_speaker (c, sb_reply_entry_at (room, c->seq + 1));
          pos.prev_same = dist < back && same_speaker (c, sb_reply_entry_at (room, c->seq - 1));
        }
      options[n].seq = c->seq;
      options[n].n_features = candidate_features (m, c, &pos, options[n].features);
    }
  if (room->observer != NULL)
    room->observer (m->seq, options, n, room->observer_data);

  double scores[SB_REPLY_WINDOW + 1];
  guint best = 0;
  for (guint i = 0; i < n; i++)
    {
      scores[i] = option_score (room->weights, &options[i]);
      if (scores[i] > scores[best])
        best = i;
    }
  double total = 0;
  for (guint i = 0; i < n; i++)
    total += exp (scores[i] - scores[best]);
  *confidence = 1.0 / total;
  return best;
}
