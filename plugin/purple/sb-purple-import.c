/* sb-purple-import.c: importing the profile's Pidgin/Finch logs inside the
 * client .
 *
 * On the first load for a profile that has a logs folder and was never
 * imported (SB_PREF_IMPORT_STATE), the import is offered from the main loop,
 * once the UI plugins are loaded: "smileback-import-offer" is emitted, and
 * when no UI handler returns TRUE, the question is asked with
 * purple_request_action().  A plugin action imports any time.
 *
 * The import (sb-import.h) runs in idle slices of a few milliseconds, so the
 * UI keeps drawing and answering; after each slice "smileback-import-progress"
 * reports the figures, and once more at the end.  Cancelling stops before the
 * next file; what was recorded stays, and the next import resumes after the
 * last finished file (the store's file marks).  When no UI plugin shows the
 * progress, the result is told with purple_notify_formatted().
 */
#include "sb-purple-planner.h"

#include <glib/gi18n-lib.h>

/* The time one idle slice may take: short enough that a redraw or a message
 * is never held back noticeably (a frame is 16 ms). */
#define SLICE_USEC (8 * 1000)

struct _SbPurpleImporter
{
  SbImport *import;
  GCancellable *cancellable;
  guint slice_id;
  guint offer_id;
  gpointer offer_request;
  gboolean offered_by_ui; /* a UI plugin took the offer: it shows the progress */
};

static char *
default_logdir (void)
{
  return g_build_filename (purple_user_dir (), "logs", NULL);
}

/* TRUE when a UI plugin shows prompts and progress itself. */
static gboolean
ui_shows (SbPurple *ctx)
{
  PurplePlugin *gtk = purple_plugins_find_with_id (SB_GTK_PLUGIN_ID);

  return ctx->importer->offered_by_ui || ctx->prompts->ui_shows
         || (gtk != NULL && purple_plugin_is_loaded (gtk));
}

static void
notify_result (SbPurple *ctx, const SbImportProgress *progress, const GError *error)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      /* TRANSLATORS: %s is the reason */
      g_string_append_printf (text, _("The import stopped: %s"), escaped);
      g_string_append (text, "<br>");
    }
  /* TRANSLATORS: import result: messages counted, conversations built, files read */
  g_string_append_printf (text, ngettext ("%u message", "%u messages", progress->messages),
                          progress->messages);
  g_string_append (text, ", ");
  g_string_append_printf (text, ngettext ("%d conversation", "%d conversations",
                                          (gulong) MAX (progress->episodes, 0)),
                          progress->episodes);
  g_string_append (text, ", ");
  g_string_append_printf (text, ngettext ("%u file", "%u files", progress->files_imported),
                          progress->files_imported);
  for (int reason = 0; reason < SB_IMPORT_SKIP_LAST; reason++)
    if (progress->skipped[reason] > 0)
      {
        g_autofree char *escaped = g_markup_escape_text (sb_import_skip_describe (reason), -1);

        g_string_append (text, "<br>");
        /* TRANSLATORS: files not imported; %s is why */
        g_string_append_printf (text, ngettext ("%u file skipped: %s", "%u files skipped: %s",
                                                progress->skipped[reason]),
                                progress->skipped[reason], escaped);
      }
  purple_notify_formatted (ctx->plugin, _("Smile Back"), _("Chat history imported"), NULL,
                           text->str, NULL, NULL);
}

/* Ends the running import: reports it, remembers a complete one. */
static void
finish (SbPurple *ctx, const GError *error)
{
  SbPurpleImporter *self = ctx->importer;
  const SbImportProgress *progress = sb_import_get_progress (self->import);

  if (error == NULL && sb_import_is_finished (self->import))
    purple_prefs_set_int (SB_PREF_IMPORT_STATE, SB_IMPORT_STATE_DONE);
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    purple_debug_error ("smileback", "log import stopped: %s\n", error->message);
  sb_purple_ipc_emit_import_progress (ctx, progress, TRUE);
  if (!ui_shows (ctx))
    notify_result (ctx, progress, error);
  g_clear_pointer (&self->import, sb_import_free);
  g_clear_object (&self->cancellable);
}

static gboolean
slice_cb (gpointer data)
{
  SbPurple *ctx = data;
  SbPurpleImporter *self = ctx->importer;
  g_autoptr (GError) error = NULL;

  if (sb_import_step (self->import, 0, SLICE_USEC, sb_purple_now (), &error))
    {
      sb_purple_ipc_emit_import_progress (ctx, sb_import_get_progress (self->import), FALSE);
      return G_SOURCE_CONTINUE;
    }
  self->slice_id = 0;
  finish (ctx, error);
  return G_SOURCE_REMOVE;
}

/* Starts importing @logdir (NULL: the profile's).  FALSE when one runs. */
static gboolean
start (SbPurple *ctx, const char *logdir)
{
  SbPurpleImporter *self = ctx->importer;
  g_autofree char *dir = logdir != NULL ? g_strdup (logdir) : default_logdir ();

  if (self->import != NULL)
    return FALSE;
  self->cancellable = g_cancellable_new ();
  self->import = sb_import_new (ctx->ledger, dir, self->cancellable);
  /* The user's own aliases tell their lines in TXT logs. */
  for (GList *l = purple_accounts_get_all (); l != NULL; l = l->next)
    {
      const char *alias = purple_account_get_alias (l->data);

      if (alias != NULL && *alias != '\0')
        sb_import_add_own_name (self->import, alias);
    }
  /* Idle priority: redraws and network input go first. */
  self->slice_id = g_idle_add (slice_cb, ctx);
  return TRUE;
}

void
sb_purple_import_action (SbPurple *ctx)
{
  if (!start (ctx, NULL))
    purple_notify_info (ctx->plugin, _("Smile Back"), _("Your chat history is being imported."),
                        NULL);
}

/* ---- the offer ------------------------------------------------------------- */

static void
offer_answer_cb (SbPurple *ctx, int index)
{
  ctx->importer->offer_request = NULL;
  if (index == 0)
    start (ctx, NULL);
  else
    purple_prefs_set_int (SB_PREF_IMPORT_STATE, SB_IMPORT_STATE_DECLINED);
}

static gboolean
offer_cb (gpointer data)
{
  SbPurple *ctx = data;
  SbPurpleImporter *self = ctx->importer;
  gpointer request;

  self->offer_id = 0;
  if (self->import != NULL)
    return G_SOURCE_REMOVE;
  if (GPOINTER_TO_INT (purple_signal_emit_return_1 (ctx->plugin, SB_SIGNAL_IMPORT_OFFER)))
    {
      self->offered_by_ui = TRUE;
      return G_SOURCE_REMOVE;
    }
  request = purple_request_action (
    ctx->plugin, _("Smile Back"), _("Import your chat history?"),
    _("Smile Back can read the logs Pidgin kept of your past conversations, so its hints are "
      "useful today.  It keeps who wrote when, never the text.  You can also import later from "
      "the plugin's actions."),
    0, NULL, NULL, NULL, ctx, 2,
    /* TRANSLATORS: button: import the existing logs now */
    _("Import"), PURPLE_CALLBACK (offer_answer_cb),
    /* TRANSLATORS: button: do not import (the offer is not repeated) */
    _("Not now"), PURPLE_CALLBACK (offer_answer_cb));
  /* A UI may have answered inside the call. */
  if (self->import == NULL && purple_prefs_get_int (SB_PREF_IMPORT_STATE) == SB_IMPORT_STATE_NONE)
    self->offer_request = request;
  return G_SOURCE_REMOVE;
}

/* ---- IPC ------------------------------------------------------------------- */

static gboolean
ipc_import_start (const char *logdir, gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL)
    return FALSE;
  ctx->importer->offered_by_ui = TRUE;
  return start (ctx, logdir);
}

static void
ipc_import_cancel (gpointer unused)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx != NULL && ctx->importer->cancellable != NULL)
    g_cancellable_cancel (ctx->importer->cancellable);
}

static void
ipc_import_decline (gpointer unused)
{
  if (sb_purple_get () != NULL)
    purple_prefs_set_int (SB_PREF_IMPORT_STATE, SB_IMPORT_STATE_DECLINED);
}

/* libpurple has no marshallers for gboolean (void) and void (pointer, gboolean). */
static void
marshal_BOOLEAN__VOID (PurpleCallback cb, va_list args, void *data, void **return_val)
{
  gboolean ret = ((gboolean (*) (gpointer)) cb) (data);

  if (return_val != NULL)
    *return_val = GINT_TO_POINTER (ret);
}

static void
marshal_VOID__POINTER_BOOLEAN (PurpleCallback cb, va_list args, void *data, void **return_val)
{
  gpointer a1 = va_arg (args, gpointer);
  gboolean a2 = va_arg (args, gboolean);

  ((void (*) (gpointer, gboolean, gpointer)) cb) (a1, a2, data);
}

/* ---- life cycle -------------------------------------------------------------- */

void
sb_purple_import_init (SbPurple *ctx)
{
  PurplePlugin *plugin = ctx->plugin;
  g_autofree char *logdir = default_logdir ();

  ctx->importer = g_new0 (SbPurpleImporter, 1);
  purple_prefs_add_int (SB_PREF_IMPORT_STATE, SB_IMPORT_STATE_NONE);
  purple_signal_register (plugin, SB_SIGNAL_IMPORT_OFFER, marshal_BOOLEAN__VOID,
                          purple_value_new (PURPLE_TYPE_BOOLEAN), 0);
  purple_signal_register (plugin, SB_SIGNAL_IMPORT_PROGRESS, marshal_VOID__POINTER_BOOLEAN, NULL,
                          2, purple_value_new (PURPLE_TYPE_POINTER),
                          purple_value_new (PURPLE_TYPE_BOOLEAN));
  purple_plugin_ipc_register (plugin, SB_IPC_IMPORT_START, PURPLE_CALLBACK (ipc_import_start),
                              purple_marshal_BOOLEAN__POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 1,
                              purple_value_new (PURPLE_TYPE_STRING));
  purple_plugin_ipc_register (plugin, SB_IPC_IMPORT_CANCEL, PURPLE_CALLBACK (ipc_import_cancel),
                              purple_marshal_VOID, NULL, 0);
  purple_plugin_ipc_register (plugin, SB_IPC_IMPORT_DECLINE, PURPLE_CALLBACK (ipc_import_decline),
                              purple_marshal_VOID, NULL, 0);

  /* From the main loop: UI plugins load after this one and connect then. */
  if (purple_prefs_get_int (SB_PREF_IMPORT_STATE) == SB_IMPORT_STATE_NONE
      && g_file_test (logdir, G_FILE_TEST_IS_DIR))
    ctx->importer->offer_id = purple_timeout_add (0, offer_cb, ctx);
}

void
sb_purple_import_shutdown (SbPurple *ctx)
{
  SbPurpleImporter *self = ctx->importer;
  PurplePlugin *plugin = ctx->plugin;

  if (self == NULL)
    return;
  if (self->offer_id != 0)
    purple_timeout_remove (self->offer_id);
  if (self->offer_request != NULL)
    purple_request_close (PURPLE_REQUEST_ACTION, g_steal_pointer (&self->offer_request));
  if (self->slice_id != 0)
    g_source_remove (self->slice_id);
  /* What was recorded stays; the next import resumes after it. */
  g_clear_pointer (&self->import, sb_import_free);
  g_clear_object (&self->cancellable);
  purple_signal_unregister (plugin, SB_SIGNAL_IMPORT_OFFER);
  purple_signal_unregister (plugin, SB_SIGNAL_IMPORT_PROGRESS);
  purple_plugin_ipc_unregister (plugin, SB_IPC_IMPORT_START);
  purple_plugin_ipc_unregister (plugin, SB_IPC_IMPORT_CANCEL);
  purple_plugin_ipc_unregister (plugin, SB_IPC_IMPORT_DECLINE);
  g_clear_pointer (&ctx->importer, g_free);
}
