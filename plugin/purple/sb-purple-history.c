/* sb-purple-history.c: opening the profile's history, and what the user is
 * told about it.
 *
 * The plugin is the owner of purple_user_dir()/smileback.db (SB_STORE_OWNER,
 * sb-store.h): it alone moves a damaged file aside and marks a clean close.
 * Opening may find the file damaged, or a -wal left without its database: it
 * is moved aside, never deleted, a new history starts, and the user is told
 * once what was kept and what to do.  A file written by a newer Smile Back is
 * left untouched and the plugin does not load: it records nothing rather than
 * write into a schema it does not know.  After a clean close the full check
 * runs in the background; its verdict is polled here, and damage found then
 * is handled the same way, on the running ledger (sb_ledger_start_over()).
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>

/* How often the background check's verdict is looked at until it is in. */
#define VERDICT_POLL_MS 250

/* The name the user finds the damaged copy under: a -wal that went aside
 * alone has no file of the base name. */
static char *
kept_name (const char *moved)
{
  if (g_file_test (moved, G_FILE_TEST_EXISTS))
    return g_strdup (moved);
  return g_strconcat (moved, "-wal", NULL);
}

/* Tells the user, once, that the history at @path went aside as @moved. */
static void
tell_moved_aside (SbPurple *ctx, const char *path, const char *moved)
{
  g_autofree char *kept = kept_name (moved);
  g_autofree char *secondary = g_strdup_printf (
    /* TRANSLATORS: the first %s is the damaged file's new name, the second the
       database file; the menu item is Pidgin's Tools menu */
    _("Nothing was deleted: the damaged file was kept as %s, and a new, empty history was "
      "started at %s.  Your chat logs are untouched: “Import Pidgin logs…” in the Tools menu "
      "(or “smileback import”) rebuilds the history from them, and “smileback check --db "
      "FILE” tells what the old file still holds."),
    kept, path);
  sb_purple_notice_once (ctx, "damaged", _("Smile Back's history was damaged and was set aside"),
                         secondary);
}

void
sb_purple_history_tell_cannot_open (SbPurple *ctx, const GError *error)
{
  g_autofree char *path = sb_purple_history_path ();

  if (g_error_matches (error, SB_STORE_ERROR, SB_STORE_ERROR_TOO_NEW))
    {
      g_autofree char *secondary = g_strdup_printf (
        /* TRANSLATORS: %s is the database file */
        _("%s was written by a newer version of Smile Back.  It was left untouched, and "
          "nothing is recorded until you install that version or a later one."),
        path);
      sb_purple_notice_once (ctx, "too-new", _("Please update Smile Back"), secondary);
      return;
    }
  g_autofree char *secondary = g_strdup_printf (
    /* TRANSLATORS: %s is why the history cannot be opened */
    _("%s  Nothing is recorded this session."), error->message);
  sb_purple_notice_once (ctx, "cannot-open", _("Smile Back cannot open its history"), secondary);
}

/* Starts the ledger over on a new file when the background check found the
 * open one damaged; stops polling once the verdict is in. */
static gboolean
verdict_cb (gpointer data)
{
  SbPurple *ctx = data;
  const char *problem = NULL;
  SbStoreCheck verdict = sb_store_get_check (sb_ledger_get_store (ctx->ledger), &problem);
  if (verdict == SB_STORE_CHECK_PENDING)
    return G_SOURCE_CONTINUE;
  ctx->verdict_id = 0;
  if (verdict == SB_STORE_CHECK_SOUND)
    return G_SOURCE_REMOVE;

  purple_debug_error ("smileback", "the history is damaged: %s\n", problem);
  g_autofree char *path = sb_purple_history_path ();
  g_autoptr (GError) error = NULL;
  if (sb_ledger_start_over (ctx->ledger, &error))
    {
      tell_moved_aside (ctx, path, sb_ledger_get_moved_aside (ctx->ledger));
      return G_SOURCE_REMOVE;
    }
  g_autofree char *secondary = g_strdup_printf (
    /* TRANSLATORS: %s is why the damaged file could not be set aside */
    _("%s  Smile Back goes on recording into it and tries again at the next start; "
      "“smileback check” tells what is damaged."),
    error->message);
  sb_purple_notice_once (ctx, "damaged", _("Smile Back's history is damaged"), secondary);
  return G_SOURCE_REMOVE;
}

char *
sb_purple_history_path (void)
{
  return g_build_filename (purple_user_dir (), "smileback.db", NULL);
}

SbLedger *
sb_purple_history_open (SbPurple *ctx, const char *path, const SbParams *params, GError **error)
{
  g_autoptr (GError) local = NULL;
  SbLedger *ledger = sb_ledger_open (path, params, sb_purple_now (), &local);
  if (ledger == NULL)
    {
      /* A locked or full file is opened later (sb-purple-save.c). */
      if (!sb_purple_save_may_retry (local))
        sb_purple_history_tell_cannot_open (ctx, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  sb_purple_history_opened (ctx, ledger);
  return ledger;
}

void
sb_purple_history_opened (SbPurple *ctx, SbLedger *ledger)
{
  if (sb_ledger_get_moved_aside (ledger) != NULL)
    {
      g_autofree char *path = sb_purple_history_path ();
      tell_moved_aside (ctx, path, sb_ledger_get_moved_aside (ledger));
    }
  if (ctx->verdict_id == 0)
    ctx->verdict_id = purple_timeout_add (VERDICT_POLL_MS, verdict_cb, ctx);
}

void
sb_purple_history_shutdown (SbPurple *ctx)
{
  if (ctx->verdict_id != 0)
    purple_timeout_remove (ctx->verdict_id);
  ctx->verdict_id = 0;
}
