/* sb-episode.h: one conversation, and the rule that cuts history into them.
 *
 * The rule (docs/design.md, "Definitions"), applied only to counted messages:
 * a message starts a new episode when the previous counted message with that
 * buddy is more than G older; except that while an episode is one-sided, the
 * first message from the other side within R of the episode's start continues
 * it as the answer.
 */
#pragma once

#include <glib.h>
#include "sb-event.h"
#include "sb-params.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 start;          /* time of the first counted message */
  gint64 last;           /* time of the latest counted message */
  gint64 answered_at;    /* first message of the non-initiator, 0 when unanswered */
  SbDirection initiator; /* who wrote the first counted message */
  guint messages_out;
  guint messages_in;
  guint turns_out;       /* maximal runs of consecutive messages by the user */
  guint turns_in;        /* ... by the buddy */
  SbDirection last_dir;  /* who wrote the latest counted message */
  guint flags;           /* SbEventFlags OR-ed over the episode's first message (BACKLOG) */
} SbEpisode;

/* TRUE when the non-initiator wrote at least one counted message. */
gboolean sb_episode_is_answered (const SbEpisode *episode);

/* Seconds from start to the answer, or -1 when unanswered. */
gint64 sb_episode_latency (const SbEpisode *episode);

/* TRUE when a counted message at @time from @direction continues @episode,
 * FALSE when it starts a new one.  @time must not be before episode->start
 * (callers replay in time order). */
gboolean sb_episode_continues (const SbEpisode *episode, gint64 time, SbDirection direction,
                               const SbParams *params);

/* Starts @episode with the counted message @event. */
void sb_episode_begin (SbEpisode *episode, const SbEvent *event);

/* Adds the counted message @event (already known to continue it). */
void sb_episode_extend (SbEpisode *episode, const SbEvent *event);

/* Segments @events (counted or not, sorted by time) into episodes appended to
 * @out (a GArray of SbEpisode).  Uncounted events are skipped.  The first
 * counted event always starts an episode: callers replay from an episode start. */
void sb_episodes_segment (const SbEvent *events, guint n_events, const SbParams *params,
                          GArray *out);

G_END_DECLS
