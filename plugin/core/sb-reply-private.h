/* sb-reply-private.h: the reply scorer's insides, for its trainer and tests.
 *
 * tests/bench/train-reply.c learns the weight table of sb-reply-features.c:
 * it runs rooms with its own weights and looks at every candidate's features
 * before the room decides.  The second half is what the scorer's own files
 * share: the room (sb-reply.c), reading a message (sb-reply-message.c), the
 * features and the decision (sb-reply-features.c).  Nothing else should
 * include this.
 */
#pragma once

#include "smileback/sb-reply.h"

G_BEGIN_DECLS

/* Most features one (message, candidate) pair can have. */
#define SB_REPLY_MAX_ACTIVE 24

/* One option for a message: an earlier line (seq < the message's) or the
 * message itself (a new thread), with the indices of its active features. */
typedef struct
{
  gint64 seq;
  guint n_features;
  guint16 features[SB_REPLY_MAX_ACTIVE];
} SbReplyCandidate;

/* Called with every option of a message, before the room decides. */
typedef void (*SbReplyObserver) (gint64 seq, const SbReplyCandidate *candidates,
                                 guint n_candidates, gpointer user_data);

/* The size of the weight table. */
guint sb_reply_n_features (void);

/* The built-in weight table (sb_reply_n_features() floats). */
const float *sb_reply_default_weights (void);

/* A short name for feature @index ("abs:A=lead,B,S/d3"), for the trainer's
 * report.  Caller frees. */
char *sb_reply_feature_name (guint index);

/* Scores with @weights (sb_reply_n_features() floats, borrowed; NULL = the
 * built-in table) from now on. */
void sb_reply_room_set_weights (SbReplyRoom *room, const float *weights);

/* Calls @observer for each message's options from now on (NULL to stop). */
void sb_reply_room_set_observer (SbReplyRoom *room, SbReplyObserver observer,
                                 gpointer user_data);

/* The member nicks (lowercased) @text would address if @nick said it now,
 * in order, without adding anything.  For tests.  Caller frees. */
GStrv sb_reply_room_read_targets (SbReplyRoom *room, const char *nick, const char *text);

/* How many member nicks @room knows.  For tests. */
guint sb_reply_room_get_n_members (SbReplyRoom *room);

/* ---- the scorer's own files ---------------------------------------------- */

/* Most nicks one line addresses. */
#define SB_REPLY_MAX_TARGETS 4

/* A line the room remembers. */
typedef struct
{
  gint64 seq;
  gint64 time;
  gboolean system;
  char *nick;   /* as added; NULL for system lines */
  char *key;    /* lowercased nick; NULL for system lines */
  char *targets[SB_REPLY_MAX_TARGETS]; /* lowercased nicks it addressed */
  guint n_targets;
  gboolean question;
  guint32 words[SB_REPLY_MAX_WORDS];
  guint n_words;
  gint64 parent;
  char *parent_key; /* the parent's speaker (lowercased), NULL for a new thread */
  guint n_children; /* later lines that answered it */
  guint length_bin; /* sb_reply_length_bin() of its text */
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
  char *targets[SB_REPLY_MAX_TARGETS];
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

/* Line @seq's slot in @room's window ring (the line, if still in the window). */
static inline Entry *
sb_reply_entry_at (SbReplyRoom *room, gint64 seq)
{
  return &room->window[seq % SB_REPLY_WINDOW];
}

/* Reads @m's targets, flags, length and word hashes from @text (not kept); needs @m->key. */
void sb_reply_message_read (SbReplyRoom *room, Message *m, const char *text);

/* Frees @m's targets. */
void sb_reply_message_clear (Message *m);

/* The length bin (0-3) of a text of @length characters. */
guint sb_reply_length_bin (gsize length);

/* Fills room->candidates with @m's options; the best one's index, its share in *@confidence. */
guint sb_reply_choose_parent (SbReplyRoom *room, const Message *m, double *confidence);

G_END_DECLS
