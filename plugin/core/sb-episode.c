/* sb-episode.c: cutting a buddy's history into conversations.
 *
 * This file is the only place the segmentation rule of docs/design.md, "Definitions", is
 * written down in code; live capture, log import, re-segmentation after an
 * out-of-order event and the CLI all come through sb_episode_continues().
 */
#include "smileback/sb-episode.h"

gboolean
sb_episode_is_answered (const SbEpisode *episode)
{
  return episode->answered_at != 0;
}

gint64
sb_episode_latency (const SbEpisode *episode)
{
  if (!sb_episode_is_answered (episode))
    return -1;
  return episode->answered_at - episode->start;
}

gboolean
sb_episode_continues (const SbEpisode *episode, gint64 time, SbDirection direction,
                      const SbParams *params)
{
  /* "More than G older" starts a new episode: a gap of exactly G continues. */
  if (time - episode->last <= params->gap_s)
    return TRUE;

  /* A one-sided episode still takes its first answer within R of its start. */
  return !sb_episode_is_answered (episode) && direction != episode->initiator
         && time - episode->start <= params->answer_s;
}

void
sb_episode_begin (SbEpisode *episode, const SbEvent *event)
{
  *episode = (SbEpisode){
    .start = event->time,
    .last = event->time,
    .answered_at = 0,
    .initiator = event->direction,
    .messages_out = event->direction == SB_DIRECTION_OUT ? 1 : 0,
    .messages_in = event->direction == SB_DIRECTION_IN ? 1 : 0,
    .turns_out = event->direction == SB_DIRECTION_OUT ? 1 : 0,
    .turns_in = event->direction == SB_DIRECTION_IN ? 1 : 0,
    .last_dir = event->direction,
    .flags = event->flags & SB_EVENT_FLAG_BACKLOG,
  };
}

void
sb_episode_extend (SbEpisode *episode, const SbEvent *event)
{
  gboolean out = event->direction == SB_DIRECTION_OUT;

  if (out)
    episode->messages_out++;
  else
    episode->messages_in++;

  if (event->direction != episode->last_dir)
    {
      if (out)
        episode->turns_out++;
      else
        episode->turns_in++;
    }
  episode->last_dir = event->direction;

  if (event->direction != episode->initiator && !sb_episode_is_answered (episode))
    episode->answered_at = event->time;

  /* An out-of-order message a few seconds behind must not move "last" back. */
  episode->last = MAX (episode->last, event->time);
}

void
sb_episodes_segment (const SbEvent *events, guint n_events, const SbParams *params, GArray *out)
{
  SbEpisode current;
  gboolean have_current = FALSE;

  for (guint i = 0; i < n_events; i++)
    {
      const SbEvent *event = &events[i];
      if (!sb_event_is_counted (event))
        continue;

      if (have_current && sb_episode_continues (&current, event->time, event->direction, params))
        {
          sb_episode_extend (&current, event);
          continue;
        }
      if (have_current)
        g_array_append_val (out, current);
      sb_episode_begin (&current, event);
      have_current = TRUE;
    }

  if (have_current)
    g_array_append_val (out, current);
}
