/* sb-table.h: the table of figures of the "Who smiles back" windows.
 *
 * Pure: the columns every UI's table shows, one row per buddy, in this order,
 * their translated titles and how each figure reads in a cell, so Pidgin's
 * window and Finch's show the same table.  Figures come from SbStats
 * (sb-stats.h); the buddy's name, account and hint are the UI's to fill.
 */
#pragma once

#include <glib.h>
#include "sb-stats.h"

G_BEGIN_DECLS

/* In display order. */
typedef enum
{
  SB_TABLE_BUDDY = 0,
  SB_TABLE_ACCOUNT,      /* worth showing with several accounts only */
  SB_TABLE_HINT,         /* sb_hint_label() */
  SB_TABLE_EPISODES,     /* the figures: */
  SB_TABLE_BY_YOU,
  SB_TABLE_BY_THEM,
  SB_TABLE_SMILE_BACK,
  SB_TABLE_REPLIED,
  SB_TABLE_LATENCY_THEM,
  SB_TABLE_LATENCY_YOU,
  SB_TABLE_LAST,
  SB_TABLE_RHYTHM,
  SB_TABLE_CLOSENESS,
  SB_TABLE_N_COLUMNS
} SbTableColumn;

/* The translated title of @column ("Smiled back"), NULL out of range.
 * Static string, never free. */
const char *sb_table_title (SbTableColumn column);

/* TRUE for the columns of figures (from SB_TABLE_EPISODES on), which read
 * best right-aligned; FALSE for the buddy, the account and the hint. */
gboolean sb_table_is_figure (SbTableColumn column);

/* How figure @column of @stats reads at @now: a count, a percentage ("75%"),
 * a duration ("3 days"), a time ago ("2 weeks ago"), the closeness ("4.5");
 * a dash when the figure is unknown.  NULL for a column that is not a
 * figure.  Caller frees. */
char *sb_table_figure_text (SbTableColumn column, const SbStats *stats, gint64 now);

/* Negative when @a comes before @b in a table sorted by figure @column: the
 * larger count, share or closeness first, the shorter duration first, the
 * latest conversation first, unknown figures last; 0 for ties and for a
 * column that is not a figure. */
int sb_table_compare (SbTableColumn column, const SbStats *a, const SbStats *b);

/* The cells of a table that keeps each figure apart (a GTK model): a share
 * in 0..1 as a percentage, a duration in seconds, a UTC time as a time ago
 * from @now; a dash for an unknown value (a negative share or duration, a
 * time of 0).  Caller frees. */
char *sb_table_format_percent (double share);
char *sb_table_format_duration (gint64 seconds);
char *sb_table_format_ago (gint64 then, gint64 now);

G_END_DECLS
