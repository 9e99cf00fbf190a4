/* sb-cli-buddy.c: `smileback buddy NAME`: one buddy's figures, a sparkline
 * of conversations per month over the last twelve months, and when a
 * reminder to reach out is due (the planner's rule, with the buddy list's
 * keep-in-touch setting), and how often the buddy and the user answered
 * each other in group chats over the window (the tooltip's room line, only
 * when there is something to say).
 *
 * NAME is the buddy's id or alias, ignoring case; several matches are listed.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-hint.h>
#include <smileback/sb-room-store.h>
#include <stdio.h>

#define MONTHS 12

/* Midnight of the first day of the month @back months before @now's, local. */
static GDateTime *
month_start (GDateTime *now, int back)
{
  g_autoptr (GDateTime) first = g_date_time_new_local (g_date_time_get_year (now),
                                                       g_date_time_get_month (now), 1, 0, 0, 0);
  return g_date_time_add_months (first, -back);
}

/* Conversations started in each of the last MONTHS months, oldest first. */
static gboolean
count_months (SbStore *store, gint64 buddy_id, GDateTime *now, guint counts[MONTHS],
              GError **error)
{
  gint64 bounds[MONTHS + 1];
  for (int m = 0; m <= MONTHS; m++)
    {
      g_autoptr (GDateTime) start = month_start (now, MONTHS - 1 - m);
      bounds[m] = g_date_time_to_unix (start);
    }
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (!sb_store_load_episodes (store, buddy_id, bounds[0], episodes, error))
    return FALSE;
  for (int m = 0; m < MONTHS; m++)
    counts[m] = 0;
  for (guint i = 0; i < episodes->len; i++)
    for (int m = 0; m < MONTHS; m++)
      if (g_array_index (episodes, SbEpisode, i).start >= bounds[m]
          && g_array_index (episodes, SbEpisode, i).start < bounds[m + 1])
        counts[m]++;
  return TRUE;
}

/* One bar per month, as tall as its share of the busiest month; a blank for
 * none.  Block characters in a UTF-8 locale, else ASCII.  Caller frees. */
static char *
sparkline (const guint counts[MONTHS])
{
  static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
  static const char ascii[] = "_.-~=+*#";
  gboolean utf8 = sb_cli_utf8_locale ();
  guint most = 1;
  for (int m = 0; m < MONTHS; m++)
    most = MAX (most, counts[m]);
  GString *out = g_string_new (NULL);
  for (int m = 0; m < MONTHS; m++)
    {
      guint level = counts[m] == 0 ? 0 : (counts[m] * 8 + most - 1) / most;
      if (level == 0)
        g_string_append_c (out, ' ');
      else if (utf8)
        g_string_append (out, blocks[level - 1]);
      else
        g_string_append_c (out, ascii[level - 1]);
    }
  return g_string_free (out, FALSE);
}

/* The sparkline of the last MONTHS months with their range:
 * "▁ ▃█  (Dec 2023 to Nov 2024)".  NULL with @error.  Caller frees. */
static char *
monthly (SbStore *store, gint64 buddy_id, GDateTime *now, GError **error)
{
  guint counts[MONTHS];
  if (!count_months (store, buddy_id, now, counts, error))
    return NULL;
  g_autofree char *bars = sparkline (counts);
  g_autoptr (GDateTime) first = month_start (now, MONTHS - 1);
  g_autofree char *from = g_date_time_format (first, "%b %Y");
  g_autofree char *to = g_date_time_format (now, "%b %Y");
  /* TRANSLATORS: the bars, then the first and the last month they show */
  return g_strdup_printf (_("%s  (%s to %s)"), bars, from, to);
}

/* "due in 4 days, every 2 weeks", "due now (since 3 days ago)", "off", or
 * why there is no reminder yet.  Caller frees. */
static char *
reminder (const SbCliBuddy *buddy, gint64 now)
{
  SbPlannerPrefs prefs;
  sb_planner_prefs_init (&prefs);
  gint64 due = sb_planner_due_interval (&prefs, &buddy->stats, buddy->keep_in_touch_s);
  if (buddy->keep_in_touch_s < 0)
    return g_strdup (_("off (no reminders for this buddy)"));
  if (due < 0)
    return g_strdup (_("none yet (it takes 3 conversations, one of them answered)"));
  gint64 due_at = sb_hint_last_contact (&buddy->stats) + due;
  g_autofree char *when = sb_hint_format_ago (due_at, now);
  g_autofree char *every = sb_hint_format_duration (due);
  if (due_at <= now)
    /* TRANSLATORS: "due now (since 3 days ago), every 2 weeks" */
    return g_strdup_printf (_("due now (since %s), every %s"), when, every);
  /* TRANSLATORS: "due in 4 days, every 2 weeks" */
  return g_strdup_printf (_("due %s, every %s"), when, every);
}

/* "80% of yours, typically after 5 minutes" (@format) from a rate and a
 * median latency; "–" when there was nothing to answer.  Caller frees. */
static char *
answered (double rate, gint64 latency, const char *format)
{
  if (rate < 0)
    return g_strdup ("–");
  g_autofree char *share = g_strdup_printf ("%.0f%%", rate * 100.0);
  g_autofree char *after = latency >= 0 ? sb_hint_format_duration (latency) : g_strdup ("–");
  return g_strdup_printf (format, share, after);
}

/* "every 2 weeks", "–" while there is no rhythm yet.  Caller frees. */
static char *
rhythm (gint64 cadence)
{
  if (cadence < 0)
    return g_strdup ("–");
  g_autofree char *every = sb_hint_format_duration (cadence);
  /* TRANSLATORS: the usual gap between conversations: "every 2 weeks" */
  return g_strdup_printf (_("every %s"), every);
}

/* Appends a (label, value) pair to @lines, taking @value. */
static void
add_line (GPtrArray *lines, const char *label, char *value)
{
  g_ptr_array_add (lines, g_strdup (label));
  g_ptr_array_add (lines, value);
}

/* The figures as (label, value) pairs, NULL-terminated; @rooms (the room
 * line, NULL when none) ends them.  Caller frees. */
static char **
figure_lines (const SbCliBuddy *buddy, const char *months, const char *rooms, gint64 now)
{
  const SbStats *s = &buddy->stats;
  const SbCounts *all = &s->all;
  const char *hint = sb_hint_label (sb_hint_classify (s, now));
  GPtrArray *lines = g_ptr_array_new ();
  add_line (lines, _("Hint"), g_strdup (hint != NULL ? hint : "–"));
  add_line (lines, _("Conversations"),
            g_strdup_printf (_("%u: %u started by you, %u by them"), all->episodes,
                             all->started_by_you, all->started_by_them));
  add_line (lines, _("Smiled back"), answered (sb_stats_smile_back_rate (all),
                                                s->median_latency_them_s, _("%s of yours, typically after %s")));
  add_line (lines, _("You replied"), answered (sb_stats_reply_rate (all),
                                                s->median_latency_you_s, _("%s of theirs, typically after %s")));
  add_line (lines, _("Messages"), g_strdup_printf (_("%u sent, %u received"),
                                                   all->messages_sent, all->messages_received));
  add_line (lines, _("Last"), all->last_episode > 0 ? sb_hint_format_ago (all->last_episode, now)
                                                    : g_strdup ("–"));
  add_line (lines, _("Rhythm"), rhythm (s->cadence_s));
  add_line (lines, _("Reminder"), reminder (buddy, now));
  add_line (lines, _("Per month"), g_strdup (months));
  if (rooms != NULL)
    add_line (lines, _("Group chats"), g_strdup (rooms));
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

/* "In rooms: answered you 3 times, you answered them 1 time" over the
 * window, as the tooltip says it; NULL in *@line when neither answered the
 * other.  FALSE with @error. */
static gboolean
room_line (SbStore *store, const SbCliBuddy *buddy, gint64 now, char **line, GError **error)
{
  SbParams params;
  sb_params_init (&params);
  guint them = 0, you = 0;
  if (!sb_store_room_member_counts (store, buddy->key, now - params.window_s, &them, &you, error))
    return FALSE;
  *line = sb_hint_room_line (them, you);
  return TRUE;
}

static void
print_buddy (const SbCliBuddy *buddy, const char *months, const char *rooms, gint64 now)
{
  g_autofree char *name = sb_cli_buddy_name (buddy);
  g_autofree char *title = sb_cli_fit (name, sb_cli_display_width (name), SB_CLI_CUT_END, FALSE);
  printf ("%s  %s/%s\n", title, buddy->key->protocol, buddy->key->account);
  g_auto (GStrv) lines = figure_lines (buddy, months, rooms, now);
  int width = 0;
  for (int i = 0; lines[i] != NULL; i += 2)
    width = MAX (width, sb_cli_display_width (lines[i]));
  for (int i = 0; lines[i] != NULL; i += 2)
    {
      g_autofree char *label = sb_cli_fit (lines[i], width, SB_CLI_CUT_END, FALSE);
      printf ("  %s  %s\n", label, lines[i + 1]);
    }
}

int
sb_cli_buddy (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  const GOptionEntry entries[] = { SB_CLI_DB_OPTION (db_option), { NULL } };
  if (!sb_cli_parse_options (&argc, &argv, _("NAME"), _(SB_CLI_BUDDY_SUMMARY), entries, 1)
      || !sb_cli_require_argument (argc, argv, _("NAME")))
    return 2;

  g_autoptr (SbCliHistory) history = sb_cli_history_open (db_option, G_MININT64, SB_STORE_READ_ONLY);
  const SbCliBuddy *buddy = history != NULL ? sb_cli_find_buddy (history->buddies, argv[1]) : NULL;
  if (buddy == NULL)
    return 1;
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_local (history->now);
  g_autoptr (GError) error = NULL;
  g_autofree char *months = monthly (history->store, buddy->id, now, &error);
  g_autofree char *rooms = NULL;
  if (months == NULL || !room_line (history->store, buddy, history->now, &rooms, &error))
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  print_buddy (buddy, months, rooms, history->now);
  return 0;
}
