/* sb-reply.c: deciding which earlier line a group-chat message answers.
 *
 * Each message is a ranking problem, as in Kummerfeld et al., "A Large-Scale
 * Corpus for Conversation Disentanglement" (ACL 2019): its options are the
 * last SB_REPLY_WINDOW lines and itself (a new thread); each option gets the
 * sum of the weights of its active binary features, and the best one wins.
 * The features are what a reader looks at: who addresses whom (with the nicks
 * the room knows), who is still waiting for the speaker, the speaker's own last
 * line, distance in lines and in time, shared words (hashed), and for the
 * new-thread option: a greeting, a question, how long the speaker was silent,
 * a recent join, the room's pace.  Conjunctions of the strongest ones are
 * features of their own.
 *
 * The weight table at the end is learned, not tuned by hand: a log-linear
 * ranker (softmax over a message's options, averaged stochastic gradient)
 * trained on the corpus' train files by tests/bench/train-reply.c, which
 * prints the table; the epoch is chosen and a temperature fitted on the dev
 * files, so that `confidence` (the softmax share of the chosen option) is a
 * calibrated probability.
 *
 * Nothing here keeps text: see sb-reply.h for what a room remembers.
 */
#include "sb-reply-private.h"

#include <math.h>
#include <string.h>

#define MAX_TARGETS 4

/* A line the room remembers. */
typedef struct
{
  gint64 seq;
  gint64 time;
  gboolean system;
  char *nick;   /* as added; NULL for system lines */
  char *key;    /* lowercased nick; NULL for system lines */
  char *targets[MAX_TARGETS]; /* lowercased nicks it addressed */
  guint n_targets;
  gboolean question;
  guint32 words[SB_REPLY_MAX_WORDS];
  guint n_words;
  gint64 parent;
  char *parent_key; /* the parent's speaker (lowercased), NULL for a new thread */
  guint n_children; /* later lines that answered it */
  guint length_bin; /* length_bin() of its text */
  gboolean command; /* it was a bot "!command" */
  gboolean bot;     /* its speaker's nick says bot */
} Entry;

/* A nick the room knows. */
typedef struct
{
  char *nick;
  gint64 last_seen;   /* time of the last line by or about them */
  gint64 last_seq;    /* their last message, -1 if none */
  gint64 last_time;   /* its time */
  gint64 joined_seq;  /* their last join line, -1 if none */
} Member;

/* A message being decided: what is read from its text, then dropped. */
typedef struct
{
  gint64 seq;
  gint64 time;
  const char *key;
  const Member *speaker; /* NULL when they never spoke or joined before */
  const char *partner;   /* whom the speaker's last message (in the window) answered, or NULL */
  char *targets[MAX_TARGETS];
  guint n_targets;
  gboolean lead_address; /* it opens with "nick:" or "nick," (targets[0]) */
  gboolean question;
  gboolean greeting;
  guint opener;
  gboolean command;
  gboolean bot;
  gsize length;
  guint32 words[SB_REPLY_MAX_WORDS];
  guint n_words;
} Message;

struct _SbReplyRoom
{
  Entry window[SB_REPLY_WINDOW]; /* ring: line seq is at window[seq % SB_REPLY_WINDOW] */
  gint64 n_lines;
  GHashTable *members; /* key -> Member */
  const float *weights;
  SbReplyObserver observer;
  gpointer observer_data;
  SbReplyCandidate candidates[SB_REPLY_WINDOW + 1];
  char *last_parent_nick;
};

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

/* Learned by tests/bench/train-reply.c (see the file comment); regenerate
 * with `train-reply CORPUS/data/train CORPUS/data/dev 5 > sb-reply-weights.inc`
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

static guint
length_bin (gsize length)
{
  return length < 20 ? 0 : length < 50 ? 1 : length < 100 ? 2 : 3;
}

/* ---- reading a message -------------------------------------------------- */

/* Words too common to tell threads apart, and to be taken for nicks when
 * said mid-sentence. */
static const char *const common_words[] = {
  "the",   "and",   "for",   "you",   "your",  "are",   "not",   "but",   "can",   "all",
  "any",   "has",   "have",  "was",   "what",  "how",   "why",   "who",   "when",  "where",
  "this",  "that",  "with",  "from",  "just",  "its",   "it's",  "yes",   "yeah",  "there",
  "then",  "than",  "them",  "they",  "will",  "would", "should", "could", "does", "did",
  "don't", "dont",  "i'm",   "like",  "get",   "got",   "use",   "one",   "out",   "about",
  "some",  "try",   "know",  "need",  "want",  "also",  "only",  "well",  "now",   "here",
  "into",  "way",   "which", "been",  "being", "help",  "thanks", "thank", "hello", "ok",
  "okay",  "sure",  "see",   "doesn", "isn",   "can't", "cant",  "more",  "think", "make",
  "work",  "good",  "still", "too",   "very",  "much",  "his",   "her",   "she",   "him",
  "our",   "who's", "that's", "there's", "let",  "say",   "said",  "nick",  "root",  "sudo",
  "linux", "ubuntu", "please", "anyone", "someone", "something", "other", "same", "new",
  "old",   "via",   "off",   "over",  "after", "before", "again", "still", "never", "ever",
  NULL,
};

static gboolean
is_common_word (const char *word)
{
  static GHashTable *table;
  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      for (const char *const *w = common_words; *w != NULL; w++)
        g_hash_table_add (t, (gpointer) *w);
      g_once_init_leave (&table, t);
    }
  return g_hash_table_contains (table, word);
}

/* @word, trailing punctuation aside, says hello. */
static gboolean
is_greeting (const char *word)
{
  g_autofree char *core = g_strdup (word);
  for (gsize len = strlen (core); len > 0 && g_ascii_ispunct (core[len - 1]); len--)
    core[len - 1] = '\0';
  static const char *const greetings[] = { "hi",  "hello", "hey",     "hiya",  "howdy", "yo",
                                           "hola", "morning", "evening", "greetings", "heya",
                                           "sup", "hallo", "salut", "bonjour", NULL };
  for (const char *const *g = greetings; *g != NULL; g++)
    if (g_str_equal (core, *g))
      return TRUE;
  return FALSE;
}

/* How a message opening with @word goes on: 1 it continues ("and", "but"),
 * 2 it thanks, 3 it answers yes or no, 0 anything else. */
static guint
opener_kind (const char *word)
{
  static const char *const kinds[][8] = {
    { "and", "but", "or", "also", "so", "because", "then", NULL },
    { "thanks", "thank", "thx", "ty", "cheers", "thanx", "tnx", NULL },
    { "yes", "no", "yeah", "nope", "yep", "yup", "nah", NULL },
  };
  g_autofree char *core = g_strdup (word);
  for (gsize len = strlen (core); len > 0 && g_ascii_ispunct (core[len - 1]); len--)
    core[len - 1] = '\0';
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (const char *const *w = kinds[k]; *w != NULL; w++)
      if (g_str_equal (core, *w))
        return k + 1;
  return 0;
}

static guint32
word_hash (const char *word, gsize len)
{
  guint32 h = 2166136261u; /* FNV-1a */
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) word[i]) * 16777619u;
  return h;
}

static void
add_word (Message *m, const char *lowered, gsize start, gsize end)
{
  if (end - start < 3 || m->n_words >= SB_REPLY_MAX_WORDS)
    return;
  g_autofree char *word = g_strndup (lowered + start, end - start);
  if (is_common_word (word))
    return;
  guint32 h = word_hash (word, end - start);
  for (guint i = 0; i < m->n_words; i++)
    if (m->words[i] == h)
      return;
  m->words[m->n_words++] = h;
}

/* The hashes of @lowered's words: runs of letters, digits and non-ASCII. */
static void
read_words (Message *m, const char *lowered)
{
  gsize start = 0, i = 0;
  gboolean in_word = FALSE;
  for (; lowered[i] != '\0'; i++)
    {
      guchar c = (guchar) lowered[i];
      gboolean word_char = g_ascii_isalnum (c) || c >= 0x80 || c == '\''
                           || (c == '.' && in_word && g_ascii_isdigit (lowered[i + 1]));
      if (word_char && !in_word)
        start = i;
      else if (!word_char && in_word)
        add_word (m, lowered, start, i);
      in_word = word_char;
    }
  if (in_word)
    add_word (m, lowered, start, i);
}

/* The member key @token names, trying it whole, then without its trailing
 * and then its leading punctuation ("bob:", "(bob)"; "bob's" is not bob). */
static const char *
lookup_nick (SbReplyRoom *room, const char *token)
{
  gpointer found = NULL;
  if (g_hash_table_lookup_extended (room->members, token, &found, NULL))
    return found;
  g_autofree char *core = g_strdup (token);
  gsize len = strlen (core);
  while (len > 0 && g_ascii_ispunct (core[len - 1]))
    {
      core[--len] = '\0';
      if (g_hash_table_lookup_extended (room->members, core, &found, NULL))
        return found;
    }
  for (const char *p = core; *p != '\0' && g_ascii_ispunct (*p);)
    {
      p++;
      if (g_hash_table_lookup_extended (room->members, p, &found, NULL))
        return found;
    }
  return NULL;
}

/* The member @token addresses, if any.  Short nicks and common words count
 * only as a message's @first word followed by ':' or ','. */
static const char *
token_member (SbReplyRoom *room, const char *token, gboolean first)
{
  const char *found = lookup_nick (room, token);
  if (found == NULL)
    return NULL;
  gsize len = strlen (token);
  gboolean addressed_form = first && len > 1 && (token[len - 1] == ':' || token[len - 1] == ',');
  if (strlen (found) <= 2 || is_common_word (found))
    return addressed_form ? found : NULL;
  return found;
}

/* Whom @lowered addresses: known nicks other than the speaker's own. */
static void
read_targets (SbReplyRoom *room, Message *m, const char *lowered)
{
  g_auto (GStrv) tokens = g_strsplit_set (lowered, " \t\r\n", -1);
  gboolean first = TRUE;
  for (char **t = tokens; *t != NULL && m->n_targets < MAX_TARGETS; t++)
    {
      if (**t == '\0')
        continue;
      const char *nick = token_member (room, *t, first);
      if (nick != NULL && !g_str_equal (nick, m->key))
        {
          gboolean seen = FALSE;
          for (guint i = 0; i < m->n_targets; i++)
            seen = seen || g_str_equal (m->targets[i], nick);
          if (!seen)
            {
              if (first)
                m->lead_address = TRUE;
              m->targets[m->n_targets++] = g_strdup (nick);
            }
        }
      if (first)
        {
          m->greeting = is_greeting (*t);
          m->opener = opener_kind (*t);
        }
      first = FALSE;
    }
}

/* Reads what the decision needs from @text, which is not kept. */
static void
message_read (SbReplyRoom *room, Message *m, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *lowered = g_utf8_strdown (valid, -1);
  m->length = (gsize) g_utf8_strlen (valid, -1);
  m->question = strchr (valid, '?') != NULL;
  m->command = valid[0] == '!' && g_ascii_isalpha (valid[1]);
  m->bot = strstr (m->key, "bot") != NULL;
  read_targets (room, m, lowered);
  read_words (m, lowered);
}

static void
message_clear (Message *m)
{
  for (guint i = 0; i < m->n_targets; i++)
    g_free (m->targets[i]);
  m->n_targets = 0;
}

/* ---- members ------------------------------------------------------------- */

static char *
nick_key (const char *nick)
{
  g_autofree char *valid = g_utf8_make_valid (nick, -1);
  return g_utf8_strdown (valid, -1);
}

static void
member_free (gpointer data)
{
  Member *member = data;
  g_free (member->nick);
  g_free (member);
}

/* Makes room for one more member: forgets the one seen least recently. */
static void
forget_oldest_member (SbReplyRoom *room)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_seen = G_MAXINT64;
  g_hash_table_iter_init (&iter, room->members);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Member *) value)->last_seen < oldest_seen)
      {
        oldest_seen = ((Member *) value)->last_seen;
        oldest = key;
      }
  if (oldest != NULL)
    g_hash_table_remove (room->members, oldest);
}

/* The member @nick, added when new; seen at @time. */
static Member *
member_touch (SbReplyRoom *room, const char *nick, gint64 time)
{
  g_autofree char *key = nick_key (nick);
  Member *member = g_hash_table_lookup (room->members, key);
  if (member == NULL)
    {
      if (g_hash_table_size (room->members) >= SB_REPLY_MAX_MEMBERS)
        forget_oldest_member (room);
      member = g_new0 (Member, 1);
      member->nick = g_strdup (nick);
      member->last_seq = -1;
      member->joined_seq = -1;
      member->last_seen = time;
      g_hash_table_insert (room->members, g_steal_pointer (&key), member);
    }
  member->last_seen = MAX (member->last_seen, time);
  return member;
}

/* ---- the window ----------------------------------------------------------- */

static void
entry_clear (Entry *e)
{
  g_clear_pointer (&e->nick, g_free);
  g_clear_pointer (&e->key, g_free);
  g_clear_pointer (&e->parent_key, g_free);
  for (guint i = 0; i < e->n_targets; i++)
    g_clear_pointer (&e->targets[i], g_free);
  memset (e, 0, sizeof *e);
}

static Entry *
entry_at (SbReplyRoom *room, gint64 seq)
{
  return &room->window[seq % SB_REPLY_WINDOW];
}

/* The next line's slot, the oldest line's forgotten. */
static Entry *
push_entry (SbReplyRoom *room, gint64 time)
{
  Entry *e = entry_at (room, room->n_lines);
  entry_clear (e);
  e->seq = room->n_lines++;
  e->time = time;
  e->parent = e->seq;
  return e;
}

static gint64
push_system (SbReplyRoom *room, gint64 time)
{
  Entry *e = push_entry (room, time);
  e->system = TRUE;
  return e->seq;
}

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

/* ---- features ------------------------------------------------------------- */

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
  f[n++] = F_LENGTHS + ((c->length_bin * N_LEN + length_bin (m->length)) * 2 + s) * N_COARSE + cd;
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
  const char *key[SB_REPLY_WINDOW * (MAX_TARGETS + 1)];
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
      const Entry *e = entry_at (room, m->seq - dist);
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
      const Entry *c = entry_at (room, m->seq - dist);
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
      const Entry *c = entry_at (room, m->seq - dist);
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
  gint64 gap = room->n_lines > 0 ? m->time - entry_at (room, m->seq - 1)->time : G_MAXINT32;
  f[n++] = F_SELF_GAP + time_bin (MAX (0, gap));
  f[n++] = F_SELF_LEN + length_bin (m->length);
  gboolean joined = m->speaker != NULL && m->speaker->joined_seq > m->speaker->last_seq
                    && m->seq - m->speaker->joined_seq <= SB_REPLY_WINDOW;
  f[n++] = F_SELF_JOINED + (guint) joined;
  f[n++] = F_SELF_PACE + room_pace (room, m);
  return n;
}

/* Whom @m's speaker was talking to: the speaker of the line their last
 * message answered, else the first nick it addressed; NULL when that message
 * is out of the window or started a thread unaddressed. */
static const char *
speaker_partner (SbReplyRoom *room, const Message *m)
{
  if (m->speaker == NULL || m->speaker->last_seq < 0
      || m->seq - m->speaker->last_seq > SB_REPLY_WINDOW)
    return NULL;
  const Entry *last = entry_at (room, m->speaker->last_seq);
  if (last->parent_key != NULL && !g_str_equal (last->parent_key, m->key))
    return last->parent_key;
  return last->n_targets > 0 ? last->targets[0] : NULL;
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
static guint
choose_parent (SbReplyRoom *room, const Message *m, double *confidence)
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
      const Entry *c = entry_at (room, m->seq - dist);
      if (!c->system)
        {
          pos.messages_back++;
          pos.rank = MIN (count_speaker (&counts, c->key), N_RANK - 1);
          pos.talked = talked_with (&talked, c->key);
          pos.next_same = dist > 1 && same_speaker (c, entry_at (room, c->seq + 1));
          pos.prev_same = dist < back && same_speaker (c, entry_at (room, c->seq - 1));
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

/* ---- the room ---------------------------------------------------------------- */

SbReplyRoom *
sb_reply_room_new (void)
{
  SbReplyRoom *room = g_new0 (SbReplyRoom, 1);
  room->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, member_free);
  room->weights = default_weights;
  return room;
}

void
sb_reply_room_free (SbReplyRoom *room)
{
  if (room == NULL)
    return;
  for (guint i = 0; i < SB_REPLY_WINDOW; i++)
    entry_clear (&room->window[i]);
  g_clear_pointer (&room->members, g_hash_table_unref);
  g_free (room->last_parent_nick);
  g_free (room);
}

void
sb_reply_room_set_weights (SbReplyRoom *room, const float *weights)
{
  g_return_if_fail (room != NULL);
  room->weights = weights != NULL ? weights : default_weights;
}

void
sb_reply_room_set_observer (SbReplyRoom *room, SbReplyObserver observer, gpointer user_data)
{
  g_return_if_fail (room != NULL);
  room->observer = observer;
  room->observer_data = user_data;
}

gint64
sb_reply_room_get_n_lines (SbReplyRoom *room)
{
  g_return_val_if_fail (room != NULL, 0);
  return room->n_lines;
}

void
sb_reply_room_add_member (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_if_fail (room != NULL);
  g_return_if_fail (nick != NULL && *nick != '\0');
  member_touch (room, nick, time);
}

gint64
sb_reply_room_member_joined (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  Member *member = member_touch (room, nick, time);
  gint64 seq = push_system (room, time);
  member->joined_seq = seq;
  return seq;
}

gint64
sb_reply_room_member_left (SbReplyRoom *room, gint64 time, const char *nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  member_touch (room, nick, time);
  return push_system (room, time);
}

gint64
sb_reply_room_add_system (SbReplyRoom *room, gint64 time)
{
  g_return_val_if_fail (room != NULL, -1);
  return push_system (room, time);
}

/* Replaces @old with a copy of @new in *@slot when it holds @old. */
static void
rename_key (char **slot, const char *old, const char *new)
{
  if (*slot != NULL && g_str_equal (*slot, old))
    {
      g_free (*slot);
      *slot = g_strdup (new);
    }
}

gint64
sb_reply_room_nick_changed (SbReplyRoom *room, gint64 time, const char *old_nick,
                            const char *new_nick)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (old_nick != NULL && *old_nick != '\0', -1);
  g_return_val_if_fail (new_nick != NULL && *new_nick != '\0', -1);
  g_autofree char *old_key = nick_key (old_nick);
  g_autofree char *new_key = nick_key (new_nick);
  if (!g_str_equal (old_key, new_key))
    {
      Member *old = member_touch (room, old_nick, time);
      Member moved = *old;
      moved.nick = g_strdup (new_nick);
      g_hash_table_remove (room->members, old_key);
      Member *member = member_touch (room, new_nick, time);
      g_free (member->nick);
      *member = moved;
      member->last_seen = time;
      for (guint i = 0; i < SB_REPLY_WINDOW; i++)
        {
          Entry *e = &room->window[i];
          if (e->key != NULL && g_str_equal (e->key, old_key))
            {
              g_free (e->nick);
              e->nick = g_strdup (new_nick);
            }
          rename_key (&e->key, old_key, new_key);
          rename_key (&e->parent_key, old_key, new_key);
          for (guint j = 0; j < e->n_targets; j++)
            rename_key (&e->targets[j], old_key, new_key);
        }
    }
  return push_system (room, time);
}

GStrv
sb_reply_room_read_targets (SbReplyRoom *room, const char *nick, const char *text)
{
  g_return_val_if_fail (room != NULL && nick != NULL && text != NULL, NULL);
  g_autofree char *key = nick_key (nick);
  Message m = { .seq = room->n_lines, .key = key };
  message_read (room, &m, text);
  GStrv targets = g_new0 (char *, m.n_targets + 1);
  for (guint i = 0; i < m.n_targets; i++)
    targets[i] = g_steal_pointer (&m.targets[i]);
  m.n_targets = 0;
  return targets;
}

guint
sb_reply_room_get_n_members (SbReplyRoom *room)
{
  g_return_val_if_fail (room != NULL, 0);
  return g_hash_table_size (room->members);
}

gint64
sb_reply_room_add_message (SbReplyRoom *room, gint64 time, const char *nick, const char *text,
                           SbReplyLink *out)
{
  g_return_val_if_fail (room != NULL, -1);
  g_return_val_if_fail (nick != NULL && *nick != '\0', -1);
  g_return_val_if_fail (text != NULL, -1);

  g_autofree char *key = nick_key (nick);
  Message m = { .seq = room->n_lines, .time = time, .key = key };
  m.speaker = g_hash_table_lookup (room->members, key);
  m.partner = speaker_partner (room, &m);
  message_read (room, &m, text);
  double confidence = 1.0;
  guint best = choose_parent (room, &m, &confidence);
  gint64 parent = room->candidates[best].seq;

  g_clear_pointer (&room->last_parent_nick, g_free);
  char *parent_key = NULL;
  if (parent != m.seq)
    {
      Entry *p = entry_at (room, parent);
      p->n_children++;
      room->last_parent_nick = g_strdup (p->nick);
      parent_key = g_strdup (p->key);
    }

  Entry *e = push_entry (room, time);
  e->nick = g_strdup (nick);
  e->key = g_steal_pointer (&key);
  e->parent = parent;
  e->parent_key = parent_key;
  e->question = m.question;
  e->command = m.command;
  e->length_bin = length_bin (m.length);
  e->bot = m.bot;
  memcpy (e->words, m.words, sizeof m.words);
  e->n_words = m.n_words;
  for (guint i = 0; i < m.n_targets; i++)
    {
      member_touch (room, m.targets[i], time);
      e->targets[i] = g_steal_pointer (&m.targets[i]);
    }
  e->n_targets = m.n_targets;
  m.n_targets = 0;
  message_clear (&m);

  Member *speaker = member_touch (room, nick, time);
  speaker->last_seq = e->seq;
  speaker->last_time = time;

  if (out != NULL)
    *out = (SbReplyLink){
      .seq = e->seq,
      .parent = parent,
      .parent_nick = room->last_parent_nick,
      .confidence = confidence,
      .confident = confidence >= SB_REPLY_CONFIDENT,
    };
  return e->seq;
}
