/* sb-reply-private.h: the reply scorer's insides, for its trainer and tests.
 *
 * tests/bench/train-reply.c learns the weight table of sb-reply.c: it runs
 * rooms with its own weights and looks at every candidate's features before
 * the room decides.  Nothing else should include this.
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

G_END_DECLS
