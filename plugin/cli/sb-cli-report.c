/* sb-cli-report.c: `smileback report`: one row per buddy, as a table sized
 * to the terminal, as JSON or as CSV for scripts.
 *
 * The JSON is a stable contract: an array of objects with exactly the keys
 * protocol, account, buddy, episodes, started_by_you, started_by_them,
 * answered_by_them, answered_by_you, messages_sent, messages_received,
 * median_latency_them_s, median_latency_you_s (null when unknown),
 * last_episode (ISO 8601 UTC, null when none), closeness.  The CSV has the
 * same columns under a header row (RFC 4180; null is an empty field).
 * Aliases from the buddy list appear in the table only.
 *
 * Figures are computed from the stored episodes (since --since when given)
 * through sb_stats_compute(), the same function the plugin uses.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* The machine-readable columns, in order. */
typedef enum
{
  COL_PROTOCOL, COL_ACCOUNT, COL_BUDDY, COL_EPISODES, COL_STARTED_BY_YOU, COL_STARTED_BY_THEM,
  COL_ANSWERED_BY_THEM, COL_ANSWERED_BY_YOU, COL_MESSAGES_SENT, COL_MESSAGES_RECEIVED,
  COL_LATENCY_THEM, COL_LATENCY_YOU, COL_LAST_EPISODE, COL_CLOSENESS, COL_LAST
} Column;

static const char *const column_names[COL_LAST] = {
  "protocol", "account", "buddy", "episodes", "started_by_you", "started_by_them",
  "answered_by_them", "answered_by_you", "messages_sent", "messages_received",
  "median_latency_them_s", "median_latency_you_s", "last_episode", "closeness",
};

/* One value of a row: null, text, an integer or a real. */
typedef struct
{
  enum { CELL_NULL, CELL_TEXT, CELL_INT, CELL_REAL } type;
  char *text;
  gint64 number;
  double real;
} Cell;

/* A text cell taking @text; null when @text is NULL. */
static Cell
text_cell_take (char *text)
{
  return (Cell){ .type = text != NULL ? CELL_TEXT : CELL_NULL, .text = text };
}

static Cell
text_cell (const char *text)
{
  return text_cell_take (g_strdup (text));
}

static Cell
int_cell (gint64 value, gboolean optional)
{
  return (Cell){ .type = optional && value < 0 ? CELL_NULL : CELL_INT, .number = value };
}

static Cell
row_cell (const SbCliBuddy *row, Column column)
{
  const SbCounts *all = &row->stats.all;
  switch (column)
    {
    case COL_PROTOCOL: return text_cell (row->key->protocol);
    case COL_ACCOUNT: return text_cell (row->key->account);
    case COL_BUDDY: return text_cell (row->key->buddy);
    case COL_EPISODES: return int_cell (all->episodes, FALSE);
    case COL_STARTED_BY_YOU: return int_cell (all->started_by_you, FALSE);
    case COL_STARTED_BY_THEM: return int_cell (all->started_by_them, FALSE);
    case COL_ANSWERED_BY_THEM: return int_cell (all->answered_by_them, FALSE);
    case COL_ANSWERED_BY_YOU: return int_cell (all->answered_by_you, FALSE);
    case COL_MESSAGES_SENT: return int_cell (all->messages_sent, FALSE);
    case COL_MESSAGES_RECEIVED: return int_cell (all->messages_received, FALSE);
    case COL_LATENCY_THEM: return int_cell (row->stats.median_latency_them_s, TRUE);
    case COL_LATENCY_YOU: return int_cell (row->stats.median_latency_you_s, TRUE);
    case COL_LAST_EPISODE:
      return text_cell_take (all->last_episode > 0 ? sb_cli_iso8601 (all->last_episode) : NULL);
    case COL_CLOSENESS: return (Cell){ .type = CELL_REAL, .real = row->stats.closeness };
    case COL_LAST: break;
    }
  return text_cell (NULL);
}

static void
add_json_cell (JsonBuilder *builder, const Cell *cell)
{
  switch (cell->type)
    {
    case CELL_NULL: json_builder_add_null_value (builder); break;
    case CELL_TEXT: json_builder_add_string_value (builder, cell->text); break;
    case CELL_INT: json_builder_add_int_value (builder, cell->number); break;
    case CELL_REAL: json_builder_add_double_value (builder, cell->real); break;
    }
}

static char *
rows_to_json (GPtrArray *rows)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      json_builder_begin_object (builder);
      for (Column c = 0; c < COL_LAST; c++)
        {
          Cell cell = row_cell (g_ptr_array_index (rows, i), c);
          json_builder_set_member_name (builder, column_names[c]);
          add_json_cell (builder, &cell);
          g_free (cell.text);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* Appends @field quoted as RFC 4180 wants: in double quotes, doubled inside,
 * when it holds a comma, a quote or a line break. */
static void
append_csv_field (GString *out, const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_cell (GString *out, const Cell *cell)
{
  char real[G_ASCII_DTOSTR_BUF_SIZE];
  switch (cell->type)
    {
    case CELL_NULL: break;
    case CELL_TEXT: append_csv_field (out, cell->text); break;
    case CELL_INT: g_string_append_printf (out, "%" G_GINT64_FORMAT, cell->number); break;
    case CELL_REAL: g_string_append (out, g_ascii_formatd (real, sizeof real, "%.15g", cell->real)); break;
    }
}

/* Header and rows, each line ended with CRLF. */
static char *
rows_to_csv (GPtrArray *rows)
{
  GString *out = g_string_new (NULL);
  for (Column c = 0; c < COL_LAST; c++)
    {
      g_string_append (out, c > 0 ? "," : "");
      g_string_append (out, column_names[c]);
    }
  g_string_append (out, "\r\n");
  for (guint i = 0; i < rows->len; i++)
    {
      for (Column c = 0; c < COL_LAST; c++)
        {
          Cell cell = row_cell (g_ptr_array_index (rows, i), c);
          g_string_append (out, c > 0 ? "," : "");
          append_csv_cell (out, &cell);
          g_free (cell.text);
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/* The table for people: alias, id, then the figures. */
enum
{
  T_ALIAS, T_BUDDY, T_TALKS, T_BY_YOU, T_BY_THEM, T_SMILED, T_REPLIED, T_LAST, T_COLUMNS
};

#define MIN_NAME_WIDTH 8

/* "45%" or "–" when there is nothing to divide by; caller frees. */
static char *
format_rate (double rate)
{
  return rate < 0 ? g_strdup ("–") : g_strdup_printf ("%.0f%%", rate * 100.0);
}

/* The table's cells of @row (T_COLUMNS strings; caller frees with g_strfreev). */
static char **
table_cells (const SbCliBuddy *row)
{
  const SbCounts *all = &row->stats.all;
  g_autofree char *last = all->last_episode > 0 ? sb_cli_iso8601 (all->last_episode) : NULL;
  char **cells = g_new0 (char *, T_COLUMNS + 1);
  cells[T_ALIAS] = g_strdup (row->alias != NULL ? row->alias : "");
  cells[T_BUDDY] = g_strdup (row->key->buddy);
  cells[T_TALKS] = g_strdup_printf ("%u", all->episodes);
  cells[T_BY_YOU] = g_strdup_printf ("%u", all->started_by_you);
  cells[T_BY_THEM] = g_strdup_printf ("%u", all->started_by_them);
  cells[T_SMILED] = format_rate (sb_stats_smile_back_rate (all));
  cells[T_REPLIED] = format_rate (sb_stats_reply_rate (all));
  cells[T_LAST] = last != NULL ? g_strndup (last, 10) : g_strdup ("–");
  return cells;
}

#define MIN_FIGURE_WIDTH 4

/* Columns the table takes with @widths, separators included. */
static int
table_width (const int widths[T_COLUMNS])
{
  int total = 0;
  for (int c = 0; c < T_COLUMNS; c++)
    total += widths[c] > 0 ? widths[c] + (total > 0 ? 2 : 0) : 0;
  return total;
}

/* When the figures' headers make the table wider than @total, cuts them
 * (with an ellipsis) down to their figures' width, the widest headers first. */
static void
narrow_figures (int widths[T_COLUMNS], const int content[T_COLUMNS], int total)
{
  static const int order[] = { T_SMILED, T_REPLIED, T_BY_THEM, T_BY_YOU, T_TALKS };
  int names = widths[T_ALIAS] > 0 ? 2 * MIN_NAME_WIDTH + 2 : MIN_NAME_WIDTH;
  int over = table_width (widths) - widths[T_ALIAS] - widths[T_BUDDY] + names - total;
  for (gsize i = 0; i < G_N_ELEMENTS (order) && over > 0; i++)
    {
      int c = order[i];
      int cut = MIN (over, widths[c] - MAX (content[c], MIN_FIGURE_WIDTH));
      if (cut > 0)
        {
          widths[c] -= cut;
          over -= cut;
        }
    }
}

/* Gives the two name columns what the figures leave of @total columns: the
 * alias at most a third, the id the rest. */
static void
size_name_columns (int widths[T_COLUMNS], int total)
{
  int wanted_alias = widths[T_ALIAS], wanted_buddy = widths[T_BUDDY];
  widths[T_ALIAS] = widths[T_BUDDY] = 0;
  int room = total - table_width (widths) - (wanted_alias > 0 ? 4 : 2);
  if (wanted_alias > 0)
    widths[T_ALIAS] = MIN (wanted_alias, MAX (room / 3, MIN_NAME_WIDTH));
  widths[T_BUDDY] = MIN (wanted_buddy, MAX (room - widths[T_ALIAS], MIN_NAME_WIDTH));
}

static void
print_line (char **cells, const int widths[T_COLUMNS])
{
  GString *line = g_string_new (NULL);
  for (int c = 0; c < T_COLUMNS; c++)
    {
      if (widths[c] == 0)
        continue;
      gboolean figure = c >= T_TALKS && c < T_LAST;
      g_autofree char *cell = sb_cli_fit (cells[c], widths[c],
                                          c == T_BUDDY ? SB_CLI_CUT_MIDDLE : SB_CLI_CUT_END,
                                          figure);
      g_string_append (line, line->len > 0 ? "  " : "");
      g_string_append (line, cell);
    }
  printf ("%s\n", line->str);
  g_string_free (line, TRUE);
}

static void
print_table (GPtrArray *rows)
{
  /* TRANSLATORS: column headers of `smileback report`; keep them short. */
  char *header[T_COLUMNS + 1] = { _("Alias"), _("Buddy"), _("Talks"), _("By you"), _("By them"),
                                  _("Smiled back"), _("You replied"), _("Last"), NULL };
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  int widths[T_COLUMNS] = { 0 }, content[T_COLUMNS] = { 0 };
  for (guint i = 0; i < rows->len; i++)
    {
      char **cells = table_cells (g_ptr_array_index (rows, i));
      for (int c = 0; c < T_COLUMNS; c++)
        content[c] = MAX (content[c], sb_cli_display_width (cells[c]));
      g_ptr_array_add (lines, cells);
    }
  for (int c = 0; c < T_COLUMNS; c++)
    widths[c] = c == T_ALIAS && content[c] == 0
                  ? 0 : MAX (content[c], sb_cli_display_width (header[c]));
  int total = sb_cli_terminal_width ();
  narrow_figures (widths, content, total);
  size_name_columns (widths, total);
  print_line (header, widths);
  for (guint i = 0; i < lines->len; i++)
    print_line (g_ptr_array_index (lines, i), widths);
  g_ptr_array_unref (lines);
}

/* Parses "2024-05-01" or a full ISO 8601 date-time; FALSE with @error. */
static gboolean
parse_since (const char *text, gint64 *since, GError **error)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);
      dt = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (dt == NULL)
    {
      /* TRANSLATORS: %s is the date the user gave to --since. */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a date (use YYYY-MM-DD)"), text);
      return FALSE;
    }
  *since = g_date_time_to_unix (dt);
  return TRUE;
}

/* Keeps the buddies with a conversation in the period. */
static void
drop_silent (GPtrArray *rows)
{
  for (guint i = rows->len; i > 0; i--)
    if (((SbCliBuddy *) g_ptr_array_index (rows, i - 1))->stats.all.episodes == 0)
      g_ptr_array_remove_index (rows, i - 1);
}

int
sb_cli_report (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  g_autofree char *since_text = NULL;
  gboolean json = FALSE, csv = FALSE;
  const GOptionEntry entries[] = {
    SB_CLI_DB_OPTION (db_option),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_ ("Print CSV (the JSON's columns)"), NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
      N_ ("Only conversations that started on or after DATE"), N_ ("DATE") },
    { NULL },
  };

  if (!sb_cli_parse_options (&argc, &argv, NULL, _(SB_CLI_REPORT_SUMMARY), entries, 0))
    return 2;
  g_autoptr (GError) error = NULL;
  gint64 since = G_MININT64;
  if (since_text != NULL && !parse_since (since_text, &since, &error))
    {
      sb_cli_error ("%s", error->message);
      return 2;
    }
  if (json && csv)
    {
      sb_cli_error (_("--json and --csv exclude each other"));
      return 2;
    }

  g_autoptr (SbCliHistory) history = sb_cli_history_open (db_option, since, SB_STORE_READ_ONLY);
  if (history == NULL)
    return 1;
  GPtrArray *rows = history->buddies;
  drop_silent (rows);

  g_autofree char *text = json ? rows_to_json (rows) : csv ? rows_to_csv (rows) : NULL;
  if (json)
    printf ("%s\n", text);
  else if (csv)
    fputs (text, stdout);
  else
    print_table (rows);
  return 0;
}
