/* sb-cli-db.c: what every subcommand does with the history: open it, list
 * its buddies with their figures, find one by name.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>

char *
sb_cli_db_path (const char *option)
{
  return option != NULL ? g_strdup (option) : sb_cli_default_db_path ();
}

/* Pidgin commits in short transactions: a command waits this long for a
 * locked database, retrying, before it gives up with a clear message. */
#define BUSY_WAIT_USEC (5 * G_USEC_PER_SEC)
#define BUSY_RETRY_USEC (100 * 1000)

typedef gpointer (*Opener) (const char *db, SbStoreMode mode, GError **error);

static gpointer
open_store (const char *db, SbStoreMode mode, GError **error)
{
  return sb_store_open_with (db, mode, error);
}

static gpointer
open_ledger (const char *db, SbStoreMode mode, GError **error)
{
  SbParams params;
  sb_params_init (&params);
  return sb_ledger_open_with (db, mode, &params, g_get_real_time () / G_USEC_PER_SEC, error);
}

/* Prints why @db could not be opened. */
static void
print_open_error (const char *db, const GError *error)
{
  if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY))
    /* TRANSLATORS: %s is the database; another program keeps it locked */
    sb_cli_error (_("%s stayed locked by another program for 5 seconds; try again"), db);
  else if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT))
    /* TRANSLATORS: why the database cannot be used; the file was not changed */
    sb_cli_error (_("%s; the file was left as it is (“smileback check” tells more)"),
                  error->message);
  else
    sb_cli_error ("%s", error->message);
}

/* @open on @db as @mode, retried while it is locked; prints why it failed. */
static gpointer
open_waiting (Opener open, const char *db, SbStoreMode mode)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_WAIT_USEC;
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gpointer opened = open (db, mode, &error);
      if (opened != NULL)
        return opened;
      if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_BUSY)
          && g_get_monotonic_time () < deadline)
        {
          g_usleep (BUSY_RETRY_USEC);
          continue;
        }
      print_open_error (db, error);
      return NULL;
    }
}

SbStore *
sb_cli_open_store (const char *db, SbStoreMode mode)
{
  return open_waiting (open_store, db, mode);
}

SbLedger *
sb_cli_open_ledger (const char *db)
{
  return open_waiting (open_ledger, db, SB_STORE_VISITOR);
}

static void
cli_buddy_free (SbCliBuddy *buddy)
{
  sb_buddy_key_free (buddy->key);
  g_free (buddy);
}

typedef struct
{
  SbStore *store;
  SbCliBlist *blist;
  gint64 since;
  gint64 now;
  SbParams params;
  GPtrArray *buddies;
  GError *error;
} LoadContext;

static void
attach_blist (SbCliBuddy *buddy, SbCliBlist *blist)
{
  const SbCliBlistEntry *entry = blist != NULL ? sb_cli_blist_lookup (blist, buddy->key) : NULL;
  if (entry == NULL)
    return;
  buddy->alias = entry->alias;
  buddy->group = entry->group;
  int days = entry->keep_in_touch_days;
  buddy->keep_in_touch_s = days > 0 ? days * SB_DAY : days < 0 ? -1 : 0;
}

static gboolean
load_buddy (gint64 buddy_id, const SbBuddyKey *key, const SbCounts *all, gint64 last_event,
            gboolean tracked, gpointer user_data)
{
  LoadContext *ctx = user_data;
  g_autoptr (GArray) episodes = g_array_new (FALSE, FALSE, sizeof (SbEpisode));
  if (!sb_store_load_episodes (ctx->store, buddy_id, ctx->since, episodes, &ctx->error))
    return FALSE;
  SbCliBuddy *buddy = g_new0 (SbCliBuddy, 1);
  buddy->id = buddy_id;
  buddy->key = sb_buddy_key_copy (key);
  buddy->tracked = tracked;
  sb_stats_compute ((const SbEpisode *) episodes->data, episodes->len, NULL, ctx->now,
                    &ctx->params, &buddy->stats);
  attach_blist (buddy, ctx->blist);
  g_ptr_array_add (ctx->buddies, buddy);
  return TRUE;
}

static int
compare_buddies (gconstpointer pa, gconstpointer pb)
{
  const SbBuddyKey *a = (*(SbCliBuddy *const *) pa)->key;
  const SbBuddyKey *b = (*(SbCliBuddy *const *) pb)->key;
  int c = g_strcmp0 (a->protocol, b->protocol);
  if (c == 0)
    c = g_strcmp0 (a->account, b->account);
  return c != 0 ? c : g_strcmp0 (a->buddy, b->buddy);
}

GPtrArray *
sb_cli_load_buddies (SbStore *store, SbCliBlist *blist, gint64 since, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) buddies = g_ptr_array_new_with_free_func ((GDestroyNotify) cli_buddy_free);
  LoadContext ctx = { .store = store, .blist = blist, .since = since, .now = now,
                      .buddies = buddies };
  sb_params_init (&ctx.params);
  if (!sb_store_foreach_buddy (store, load_buddy, &ctx, error) || ctx.error != NULL)
    {
      if (ctx.error != NULL)
        g_propagate_error (error, ctx.error);
      return NULL;
    }
  g_ptr_array_sort (buddies, compare_buddies);
  return g_steal_pointer (&buddies);
}

/* TRUE when @name is @buddy's id or alias, ignoring case. */
static gboolean
buddy_is_called (const SbCliBuddy *buddy, const char *folded_name)
{
  g_autofree char *id = g_utf8_casefold (buddy->key->buddy, -1);
  g_autofree char *alias = buddy->alias != NULL ? g_utf8_casefold (buddy->alias, -1) : NULL;
  return g_str_equal (id, folded_name) || g_strcmp0 (alias, folded_name) == 0;
}

char *
sb_cli_buddy_name (const SbCliBuddy *buddy)
{
  if (buddy->alias == NULL)
    return g_strdup (buddy->key->buddy);
  /* TRANSLATORS: a buddy's alias, then its id: "Bob (bob@example.org)" */
  return g_strdup_printf (_("%s (%s)"), buddy->alias, buddy->key->buddy);
}

static void
print_candidates (const char *name, GPtrArray *found)
{
  /* TRANSLATORS: %s is the name the user gave; the candidates follow, one a line. */
  sb_cli_error (_("“%s” is ambiguous; it could be:"), name);
  for (guint i = 0; i < found->len; i++)
    {
      const SbCliBuddy *buddy = g_ptr_array_index (found, i);
      g_autofree char *label = sb_cli_buddy_name (buddy);
      g_printerr ("  %s  %s/%s\n", label, buddy->key->protocol, buddy->key->account);
    }
}

SbCliBuddy *
sb_cli_find_buddy (GPtrArray *buddies, const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  for (guint i = 0; i < buddies->len; i++)
    if (buddy_is_called (g_ptr_array_index (buddies, i), folded))
      g_ptr_array_add (found, g_ptr_array_index (buddies, i));
  if (found->len == 1)
    return g_ptr_array_index (found, 0);
  if (found->len == 0)
    /* TRANSLATORS: %s is the name the user gave. */
    sb_cli_error (_("no buddy called “%s” in the history"), name);
  else
    print_candidates (name, found);
  return NULL;
}

char *
sb_cli_iso8601 (gint64 time)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (time);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

gboolean
sb_cli_require_argument (int argc, char **argv, const char *what)
{
  if (argc == 2 && argv[1][0] != '\0')
    return TRUE;
  /* TRANSLATORS: %s names the argument: "NAME", "OTHER.db" */
  sb_cli_error (_("%s is missing (see --help)"), what);
  return FALSE;
}

SbCliHistory *
sb_cli_history_open (const char *db_option, gint64 since, SbStoreMode mode)
{
  g_autoptr (SbCliHistory) history = g_new0 (SbCliHistory, 1);
  history->db = sb_cli_db_path (db_option);
  history->now = g_get_real_time () / G_USEC_PER_SEC;
  history->store = sb_cli_open_store (history->db, mode);
  if (history->store == NULL)
    return NULL;
  history->blist = sb_cli_blist_load (history->db);
  g_autoptr (GError) error = NULL;
  history->buddies = sb_cli_load_buddies (history->store, history->blist, since, history->now,
                                          &error);
  if (history->buddies == NULL)
    {
      sb_cli_error ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&history);
}

void
sb_cli_history_free (SbCliHistory *history)
{
  if (history == NULL)
    return;
  g_clear_pointer (&history->buddies, g_ptr_array_unref);
  g_clear_pointer (&history->blist, sb_cli_blist_free);
  g_clear_pointer (&history->store, sb_store_free);
  g_free (history->db);
  g_free (history);
}
