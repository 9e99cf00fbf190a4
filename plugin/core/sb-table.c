/* sb-table.c: the columns of the "Who smiles back" table, their titles, how
 * each figure reads and sorts (see sb-table.h).
 *
 * Pure (GLib only): the windows of both UI plugins call it, and the unit
 * suite checks it.
 */
#include "smileback/sb-table.h"

#include <glib/gi18n-lib.h>

#include "smileback/sb-hint.h"

/* What is unknown reads as an em dash. */
#define SB_TABLE_DASH "\342\200\224"

const char *
sb_table_title (SbTableColumn column)
{
  switch (column)
    {
    case SB_TABLE_BUDDY: return _("Buddy");
    case SB_TABLE_ACCOUNT: return _("Account");
    case SB_TABLE_HINT: return _("Hint");
    case SB_TABLE_EPISODES: return _("Conversations");
    case SB_TABLE_BY_YOU: return _("Started by you");
    case SB_TABLE_BY_THEM: return _("Started by them");
    /* TRANSLATORS: column: share of the user's starts the buddy answered */
    case SB_TABLE_SMILE_BACK: return _("Smiled back");
    /* TRANSLATORS: column: share of the buddy's starts the user answered */
    case SB_TABLE_REPLIED: return _("You replied");
    /* TRANSLATORS: column: the buddy's typical (median) time to answer */
    case SB_TABLE_LATENCY_THEM: return _("They answer in");
    case SB_TABLE_LATENCY_YOU: return _("You answer in");
    case SB_TABLE_LAST: return _("Last conversation");
    /* TRANSLATORS: column: the typical gap between conversations */
    case SB_TABLE_RHYTHM: return _("Usual rhythm");
    /* TRANSLATORS: column: recency-weighted count of answered conversations */
    case SB_TABLE_CLOSENESS: return _("Closeness");
    case SB_TABLE_N_COLUMNS:
    default: return NULL;
    }
}

gboolean
sb_table_is_figure (SbTableColumn column)
{
  return column >= SB_TABLE_EPISODES && column < SB_TABLE_N_COLUMNS;
}

char *
sb_table_format_percent (double share)
{
  if (share < 0)
    return g_strdup (SB_TABLE_DASH);
  /* TRANSLATORS: a percentage in a table cell */
  return g_strdup_printf (_("%d%%"), (int) (share * 100 + 0.5));
}

char *
sb_table_format_duration (gint64 seconds)
{
  return seconds < 0 ? g_strdup (SB_TABLE_DASH) : sb_hint_format_duration (seconds);
}

char *
sb_table_format_ago (gint64 then, gint64 now)
{
  return then <= 0 ? g_strdup (SB_TABLE_DASH) : sb_hint_format_ago (then, now);
}

char *
sb_table_figure_text (SbTableColumn column, const SbStats *stats, gint64 now)
{
  g_return_val_if_fail (stats != NULL, NULL);
  switch (column)
    {
    case SB_TABLE_EPISODES: return g_strdup_printf ("%u", stats->all.episodes);
    case SB_TABLE_BY_YOU: return g_strdup_printf ("%u", stats->all.started_by_you);
    case SB_TABLE_BY_THEM: return g_strdup_printf ("%u", stats->all.started_by_them);
    case SB_TABLE_SMILE_BACK: return sb_table_format_percent (sb_stats_smile_back_rate (&stats->all));
    case SB_TABLE_REPLIED: return sb_table_format_percent (sb_stats_reply_rate (&stats->all));
    case SB_TABLE_LATENCY_THEM: return sb_table_format_duration (stats->median_latency_them_s);
    case SB_TABLE_LATENCY_YOU: return sb_table_format_duration (stats->median_latency_you_s);
    case SB_TABLE_LAST: return sb_table_format_ago (sb_hint_last_contact (stats), now);
    case SB_TABLE_RHYTHM: return sb_table_format_duration (stats->cadence_s);
    case SB_TABLE_CLOSENESS: return g_strdup_printf ("%.1f", stats->closeness);
    case SB_TABLE_BUDDY:
    case SB_TABLE_ACCOUNT:
    case SB_TABLE_HINT:
    case SB_TABLE_N_COLUMNS:
    default: return NULL;
    }
}

/* A shorter duration ranks higher; an unknown one (negative) lowest. */
static double
duration_rank (gint64 seconds)
{
  return seconds < 0 ? -G_MAXDOUBLE : -(double) seconds;
}

/* A known share as is; an unknown one (negative) lowest. */
static double
share_rank (double share)
{
  return share < 0 ? -G_MAXDOUBLE : share;
}

/* The value figure @column sorts on: the larger first. */
static double
rank (SbTableColumn column, const SbStats *s)
{
  switch (column)
    {
    case SB_TABLE_EPISODES: return s->all.episodes;
    case SB_TABLE_BY_YOU: return s->all.started_by_you;
    case SB_TABLE_BY_THEM: return s->all.started_by_them;
    case SB_TABLE_SMILE_BACK: return share_rank (sb_stats_smile_back_rate (&s->all));
    case SB_TABLE_REPLIED: return share_rank (sb_stats_reply_rate (&s->all));
    case SB_TABLE_LATENCY_THEM: return duration_rank (s->median_latency_them_s);
    case SB_TABLE_LATENCY_YOU: return duration_rank (s->median_latency_you_s);
    case SB_TABLE_LAST: return (double) sb_hint_last_contact (s);
    case SB_TABLE_RHYTHM: return duration_rank (s->cadence_s);
    case SB_TABLE_CLOSENESS: return s->closeness;
    case SB_TABLE_BUDDY:
    case SB_TABLE_ACCOUNT:
    case SB_TABLE_HINT:
    case SB_TABLE_N_COLUMNS:
    default: return 0;
    }
}

int
sb_table_compare (SbTableColumn column, const SbStats *a, const SbStats *b)
{
  double ra, rb;

  g_return_val_if_fail (a != NULL && b != NULL, 0);
  ra = rank (column, a);
  rb = rank (column, b);
  if (ra == rb)
    return 0;
  return ra > rb ? -1 : 1;
}
