/* sb-hint.c: the verdict beside a buddy, its label, and the tooltip figures.
 *
 * Pure (GLib only): every function takes the figures and "now" and returns
 * text, so the core plugin can serve hints from memory and tests can check
 * every wording without libpurple.  The rules are in sb-hint.h.
 */
#include "smileback/sb-hint.h"

#include <glib/gi18n-lib.h>

/* Initiation shares at or beyond these are "always": four in five (a hint
 * asks for a verdict a person recognises, not a strict 100%). */
#define SB_HINT_ALWAYS_SHARE 0.8
#define SB_HINT_NEVER_SHARE 0.2

/* The reach-out rule needs this much history (docs/design.md, "Prompts and their manners"). */
#define SB_HINT_DUE_MIN_EPISODES 3

#define SB_MINUTE (G_GINT64_CONSTANT (60))
#define SB_WEEK (7 * SB_DAY)
#define SB_MONTH (30 * SB_DAY)
#define SB_YEAR (365 * SB_DAY)

static gboolean
pending_is_recent (gint64 since, gint64 now)
{
  return since != 0 && now - since < SB_HINT_PENDING_MAX_S;
}

SbHintKind
sb_hint_classify (const SbStats *stats, gint64 now)
{
  const SbCounts *counts;
  double share;

  if (stats == NULL || stats->all.episodes == 0)
    return SB_HINT_NONE;
  if (stats->all.episodes < SB_HINT_MIN_EPISODES)
    return SB_HINT_NEW;

  /* Only the latest episode can be pending, so at most one of these is set;
   * the user's debt is checked first as it is the one they can act on. */
  if (pending_is_recent (stats->waiting_since, now))
    return SB_HINT_YOU_OWE_A_REPLY;
  if (pending_is_recent (stats->unanswered_since, now))
    return SB_HINT_OWES_YOU_A_REPLY;

  counts = stats->window.episodes >= SB_HINT_MIN_EPISODES ? &stats->window : &stats->all;
  share = sb_stats_initiation_share (counts);
  if (share < 0)
    return SB_HINT_NEW;
  if (share >= SB_HINT_ALWAYS_SHARE)
    return SB_HINT_YOU_ALWAYS_START;
  if (share <= SB_HINT_NEVER_SHARE)
    return SB_HINT_THEY_ALWAYS_START;
  return SB_HINT_MUTUAL;
}

const char *
sb_hint_label (SbHintKind kind)
{
  switch (kind)
    {
    case SB_HINT_NEW:
      /* TRANSLATORS: hint beside a buddy with too little history for a verdict;
       * keep every hint under about 24 characters. */
      return _("new");
    case SB_HINT_MUTUAL:
      /* TRANSLATORS: hint beside a buddy: both sides start conversations. */
      return _("mutual");
    case SB_HINT_YOU_ALWAYS_START:
      /* TRANSLATORS: hint beside a buddy: the user starts nearly every conversation. */
      return _("you always start");
    case SB_HINT_THEY_ALWAYS_START:
      /* TRANSLATORS: hint beside a buddy: the buddy starts nearly every conversation. */
      return _("they always start");
    case SB_HINT_OWES_YOU_A_REPLY:
      /* TRANSLATORS: hint beside a buddy who has not answered the user's last message. */
      return _("owes you a reply");
    case SB_HINT_YOU_OWE_A_REPLY:
      /* TRANSLATORS: hint beside a buddy whose last message the user has not answered. */
      return _("you owe a reply");
    case SB_HINT_NONE:
    case SB_HINT_LAST:
    default:
      return NULL;
    }
}

gint64
sb_hint_due_interval_within (const SbStats *stats, gint64 keep_in_touch_s, gint64 min_s,
                             gint64 max_s)
{
  gint64 interval;

  if (stats == NULL || keep_in_touch_s < 0)
    return -1;
  if (stats->all.episodes < SB_HINT_DUE_MIN_EPISODES
      || stats->all.answered_by_them + stats->all.answered_by_you == 0)
    return -1;
  if (keep_in_touch_s > 0)
    return keep_in_touch_s;
  /* No rhythm yet (fewer than three recent conversations): the longest wait. */
  if (stats->cadence_s <= 0)
    return max_s;

  interval = (gint64) (stats->cadence_s * SB_HINT_DUE_FACTOR);
  return CLAMP (interval, min_s, max_s);
}

gint64
sb_hint_due_interval (const SbStats *stats, int keep_in_touch_days)
{
  return sb_hint_due_interval_within (stats, (gint64) keep_in_touch_days * SB_DAY,
                                      SB_HINT_DUE_MIN_S, SB_HINT_DUE_MAX_S);
}

gint64
sb_hint_last_contact (const SbStats *stats)
{
  if (stats == NULL)
    return 0;
  return stats->last_contact > 0 ? stats->last_contact : stats->all.last_episode;
}

double
sb_hint_overdue_ratio (const SbStats *stats, int keep_in_touch_days, gint64 now)
{
  gint64 interval = sb_hint_due_interval (stats, keep_in_touch_days);

  if (interval <= 0)
    return -1;
  return (double) MAX (now - sb_hint_last_contact (stats), 0) / (double) interval;
}

char *
sb_hint_format_duration (gint64 seconds)
{
  gulong n;

  seconds = MAX (seconds, 0);
  if (seconds < SB_MINUTE)
    return g_strdup (_("less than a minute"));

  /* Each unit is used until two of the next one fit, so "90 minutes" rather
   * than "1 hour" and "10 days" rather than "1 week": closer to the truth. */
  if (seconds < 2 * SB_HOUR)
    {
      n = (gulong) (seconds / SB_MINUTE);
      /* TRANSLATORS: a duration */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu minute", "%lu minutes", n), n);
    }
  if (seconds < 2 * SB_DAY)
    {
      n = (gulong) (seconds / SB_HOUR);
      /* TRANSLATORS: a duration */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu hour", "%lu hours", n), n);
    }
  if (seconds < 2 * SB_WEEK)
    {
      n = (gulong) (seconds / SB_DAY);
      /* TRANSLATORS: a duration */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu day", "%lu days", n), n);
    }
  if (seconds < 2 * SB_MONTH)
    {
      n = (gulong) (seconds / SB_WEEK);
      /* TRANSLATORS: a duration */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu week", "%lu weeks", n), n);
    }
  if (seconds < SB_YEAR)
    {
      n = (gulong) (seconds / SB_MONTH);
      /* TRANSLATORS: a duration */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu month", "%lu months", n), n);
    }
  n = (gulong) (seconds / SB_YEAR);
  /* TRANSLATORS: a duration */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu year", "%lu years", n), n);
}

char *
sb_hint_format_ago (gint64 then, gint64 now)
{
  g_autofree char *duration = NULL;

  if (then > now + SB_MINUTE)
    {
      duration = sb_hint_format_duration (then - now);
      /* TRANSLATORS: %s is a duration such as "3 days": a time in the future */
      return g_strdup_printf (_("in %s"), duration);
    }
  if (now - then < SB_MINUTE)
    return g_strdup (_("just now"));
  duration = sb_hint_format_duration (now - then);
  /* TRANSLATORS: %s is a duration such as "3 weeks": a time in the past */
  return g_strdup_printf (_("%s ago"), duration);
}

/* Appends "<b>label:</b> value" (escaped) as a new line of @out. */
static void
append_line (GString *out, const char *label, const char *value)
{
  g_autofree char *line = NULL;

  /* TRANSLATORS: one tooltip line, "Label: value"; keep the markup */
  line = g_markup_printf_escaped (_("<b>%s:</b> %s"), label, value);
  if (out->len > 0)
    g_string_append_c (out, '\n');
  g_string_append (out, line);
}

static char *
format_share (guint part, guint total)
{
  /* TRANSLATORS: "started by you: 3 of 10 conversations"; the plural follows
   * the second number */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u conversation",
                                       "%u of %u conversations", total),
                          part, total);
}

static char *
format_rate (double rate, guint part, guint total)
{
  /* TRANSLATORS: a percentage, then the counts behind it: "75% (3 of 4)" */
  return g_strdup_printf (_("%d%% (%u of %u)"), (int) (rate * 100.0 + 0.5), part, total);
}

static char *
format_typical (gint64 seconds)
{
  g_autofree char *duration = sb_hint_format_duration (seconds);

  /* TRANSLATORS: %s is a duration, "typically 2 hours" (the median) */
  return g_strdup_printf (_("typically %s"), duration);
}

static char *
format_due (gint64 due_at, gint64 now)
{
  g_autofree char *duration = NULL;

  if (due_at > now)
    return sb_hint_format_ago (due_at, now);
  duration = sb_hint_format_duration (now - due_at);
  /* TRANSLATORS: a "reach out" reminder is due, %s is how late: "now (3 days overdue)" */
  return g_strdup_printf (_("now (%s overdue)"), duration);
}

char *
sb_hint_tooltip_full (const SbStats *stats, gint64 now, int keep_in_touch_days)
{
  const SbCounts *all;
  GString *out;
  gint64 interval;
  double rate;

  if (stats == NULL || stats->all.episodes == 0)
    return NULL;
  all = &stats->all;
  out = g_string_new (NULL);

  {
    g_autofree char *you = format_share (all->started_by_you, all->episodes);
    g_autofree char *them = format_share (all->started_by_them, all->episodes);

    append_line (out, _("Started by you"), you);
    append_line (out, _("Started by them"), them);
  }

  rate = sb_stats_smile_back_rate (all);
  if (rate >= 0)
    {
      g_autofree char *value = format_rate (rate, all->answered_by_them, all->started_by_you);
      /* TRANSLATORS: share of the user's conversation starts the buddy answered */
      append_line (out, _("Smiled back"), value);
    }
  rate = sb_stats_reply_rate (all);
  if (rate >= 0)
    {
      g_autofree char *value = format_rate (rate, all->answered_by_you, all->started_by_them);
      /* TRANSLATORS: share of the buddy's conversation starts the user answered */
      append_line (out, _("You replied"), value);
    }
  if (stats->median_latency_them_s >= 0)
    {
      g_autofree char *value = format_typical (stats->median_latency_them_s);
      append_line (out, _("They answer"), value);
    }
  if (stats->median_latency_you_s >= 0)
    {
      g_autofree char *value = format_typical (stats->median_latency_you_s);
      append_line (out, _("You answer"), value);
    }
  if (sb_hint_last_contact (stats) > 0)
    {
      g_autofree char *value = sb_hint_format_ago (sb_hint_last_contact (stats), now);
      append_line (out, _("Last conversation"), value);
    }
  if (stats->cadence_s > 0)
    {
      g_autofree char *duration = sb_hint_format_duration (stats->cadence_s);
      g_autofree char *value = NULL;

      /* TRANSLATORS: the usual gap between conversations, "every 10 days" */
      value = g_strdup_printf (_("every %s"), duration);
      append_line (out, _("Usual rhythm"), value);
    }

  if (all->automated > 0)
    {
      /* TRANSLATORS: auto-replies and texts many buddies sent alike; they are
       * not counted as starting or answering a conversation */
      g_autofree char *value = g_strdup_printf (
          ngettext ("%u message, not counted", "%u messages, not counted", all->automated),
          all->automated);
      append_line (out, _("Automated"), value);
    }

  if (keep_in_touch_days < 0)
    append_line (out, _("Reminder"), _("off for this buddy"));
  else if ((interval = sb_hint_due_interval (stats, keep_in_touch_days)) > 0)
    {
      g_autofree char *value = format_due (sb_hint_last_contact (stats) + interval, now);
      append_line (out, _("Reminder due"), value);
    }

  return g_string_free (out, FALSE);
}

char *
sb_hint_tooltip (const SbStats *stats, gint64 now)
{
  return sb_hint_tooltip_full (stats, now, 0);
}
