/* sb-cli-report.c: `smileback report`: one row per buddy, as a table or as
 * JSON for scripts.
 *
 * The JSON is a stable contract: an array of objects with exactly the keys
 * protocol, account, buddy, episodes, started_by_you, started_by_them,
 * answered_by_them, answered_by_you, messages_sent, messages_received,
 * median_latency_them_s, median_latency_you_s (null when unknown),
 * last_episode (ISO 8601 UTC, null when none), closeness.
 *
 * Figures are computed from the stored episodes (since --since when given)
 * through sb_stats_compute(), the same function the plugin uses.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

typedef struct
{
  SbBuddyKey *key;
  SbStats stats;
} ReportRow;

static void
report_row_free (ReportRow *row)
{
  sb_buddy_key_free (row->key);
  g_free (row);
}

typedef struct
{
  SbStore *store;
  gint64 since;
  gint64 now;
  SbParams params;
  GPtrArray *rows; /* ReportRow */
  GError **error;
  gboolean failed;
} ReportContext;

static gboolean
collect_buddy (gint64 buddy_id, const SbBuddyKey *key, const SbCounts *all, gint64 last_event,
               gboolean tracked, gpointer user_data)
{
  ReportContext *ctx = user_data;
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (!sb_store_load_episodes (ctx->store, buddy_id, ctx->since, episodes, ctx->error))
    {
      ctx->failed = TRUE;
      return FALSE;
    }
  if (episodes->len == 0)
    return TRUE;

  ReportRow *row = g_new0 (ReportRow, 1);
  row->key = sb_buddy_key_copy (key);
  sb_stats_compute ((const SbEpisode *) episodes->data, episodes->len, NULL, ctx->now,
                    &ctx->params, &row->stats);
  g_ptr_array_add (ctx->rows, row);
  return TRUE;
}

static int
compare_rows (gconstpointer pa, gconstpointer pb)
{
  const ReportRow *a = *(const ReportRow *const *) pa;
  const ReportRow *b = *(const ReportRow *const *) pb;
  int c = g_strcmp0 (a->key->protocol, b->key->protocol);
  if (c == 0)
    c = g_strcmp0 (a->key->account, b->key->account);
  if (c == 0)
    c = g_strcmp0 (a->key->buddy, b->key->buddy);
  return c;
}

/* ISO 8601 UTC ("2024-05-01T10:00:00Z") of @time; caller frees. */
static char *
iso8601 (gint64 time)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (time);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
add_optional_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, value);
}

static char *
rows_to_json (GPtrArray *rows)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      const ReportRow *row = g_ptr_array_index (rows, i);
      const SbCounts *all = &row->stats.all;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, row->key->protocol);
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, row->key->account);
      json_builder_set_member_name (builder, "buddy");
      json_builder_add_string_value (builder, row->key->buddy);
      json_builder_set_member_name (builder, "episodes");
      json_builder_add_int_value (builder, all->episodes);
      json_builder_set_member_name (builder, "started_by_you");
      json_builder_add_int_value (builder, all->started_by_you);
      json_builder_set_member_name (builder, "started_by_them");
      json_builder_add_int_value (builder, all->started_by_them);
      json_builder_set_member_name (builder, "answered_by_them");
      json_builder_add_int_value (builder, all->answered_by_them);
      json_builder_set_member_name (builder, "answered_by_you");
      json_builder_add_int_value (builder, all->answered_by_you);
      json_builder_set_member_name (builder, "messages_sent");
      json_builder_add_int_value (builder, all->messages_sent);
      json_builder_set_member_name (builder, "messages_received");
      json_builder_add_int_value (builder, all->messages_received);
      add_optional_int (builder, "median_latency_them_s", row->stats.median_latency_them_s);
      add_optional_int (builder, "median_latency_you_s", row->stats.median_latency_you_s);
      json_builder_set_member_name (builder, "last_episode");
      g_autofree char *last = all->last_episode > 0 ? iso8601 (all->last_episode) : NULL;
      if (last != NULL)
        json_builder_add_string_value (builder, last);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "closeness");
      json_builder_add_double_value (builder, row->stats.closeness);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* "45%" or "–" when there is nothing to divide by; caller frees. */
static char *
format_rate (double rate)
{
  return rate < 0 ? g_strdup ("–") : g_strdup_printf ("%.0f%%", rate * 100.0);
}

static void
print_table (GPtrArray *rows)
{
  /* TRANSLATORS: column headers of `smileback report`; keep them short. */
  printf ("%-32s %8s %8s %8s %10s %10s  %s\n", _("Buddy"), _("Talks"), _("By you"), _("By them"),
          _("Smiled back"), _("You replied"), _("Last"));
  for (guint i = 0; i < rows->len; i++)
    {
      const ReportRow *row = g_ptr_array_index (rows, i);
      const SbCounts *all = &row->stats.all;
      g_autofree char *smiled = format_rate (sb_stats_smile_back_rate (all));
      g_autofree char *replied = format_rate (sb_stats_reply_rate (all));
      g_autofree char *last = iso8601 (all->last_episode);
      printf ("%-32s %8u %8u %8u %10s %10s  %s\n", row->key->buddy, all->episodes,
              all->started_by_you, all->started_by_them, smiled, replied,
              last != NULL ? last : "–");
    }
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

int
sb_cli_report (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *since_text = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_ ("The database (default: the profile's)"),
      N_ ("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
      N_ ("Only conversations that started on or after DATE"), N_ ("DATE") },
    { NULL },
  };

  if (!sb_cli_parse_options (&argc, &argv, NULL, _("One row per buddy: who starts, who answers."),
                             entries, 0))
    return 2;
  g_autoptr (GError) error = NULL;

  gint64 since = G_MININT64;
  if (since_text != NULL && !parse_since (since_text, &since, &error))
    {
      sb_cli_error ("%s", error->message);
      return 2;
    }
  if (db == NULL)
    db = sb_cli_default_db_path ();
  if (!g_file_test (db, G_FILE_TEST_IS_REGULAR))
    {
      /* TRANSLATORS: %s is a file name. */
      sb_cli_error (_("no history at %s"), db);
      return 1;
    }

  g_autoptr (SbStore) store = sb_store_open (db, &error);
  if (store == NULL)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  if (sb_store_get_moved_aside (store) != NULL)
    sb_cli_error (_("the database was damaged and moved aside as %s"),
                  sb_store_get_moved_aside (store));

  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) report_row_free);
  ReportContext ctx = { .store = store, .since = since, .now = g_get_real_time () / G_USEC_PER_SEC,
                        .rows = rows, .error = &error };
  sb_params_init (&ctx.params);
  if (!sb_store_foreach_buddy (store, collect_buddy, &ctx, &error) || ctx.failed)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  g_ptr_array_sort (rows, compare_rows);

  if (json)
    {
      g_autofree char *text = rows_to_json (rows);
      printf ("%s\n", text);
    }
  else
    print_table (rows);
  return 0;
}
