/* sb-gtk-import.c: importing the logs Pidgin already keeps, inside the buddy list.
 *
 * When core-smileback first loads for a profile that has logs and was never
 * imported, it emits "smileback-import-offer"; this file answers TRUE and
 * offers the import in a mini-dialog ("Import" / "Not now").  The import runs
 * in the core plugin in short idle slices ("smileback-import-start"); while it
 * runs, whoever started it (this offer, or the core's plugin action), a
 * mini-dialog shows a progress bar fed by "smileback-import-progress" with
 * "Cancel" ("smileback-import-cancel": it stops after the current file and
 * resumes from there next time).  At the end, one line says what was found,
 * and the hints are redrawn.
 *
 * An offer that comes before the buddy list window exists waits for
 * "gtkblist-created".  Everything goes away on unload.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <debug.h>
#include <signals.h>

#include <gtkblist.h>
#include <minidialog.h>
#include <pidginstock.h>

struct _SbGtkImport
{
  GtkWidget *offer;       /* the offer's mini-dialog, NULL when not shown */
  gboolean offer_waiting; /* offered before the buddy list window existed */
  GtkWidget *progress;    /* the running import's mini-dialog, NULL when none */
  GtkWidget *bar;         /* its GtkProgressBar */
  GtkWidget *summary;     /* the last import's result, NULL when none */
  gboolean cancelled;     /* the user cancelled the running import */
};

static gboolean
blist_ready (void)
{
  PidginBuddyList *gtkblist = pidgin_blist_get_default_gtk_blist ();

  return gtkblist != NULL && gtkblist->scrollbook != NULL;
}

/* Clears *@slot when its widget is destroyed. */
static void
forget_widget_cb (GtkWidget *widget, GtkWidget **slot)
{
  if (*slot == widget)
    *slot = NULL;
}

static void
add_alert (GtkWidget **slot, PidginMiniDialog *dialog)
{
  *slot = GTK_WIDGET (dialog);
  g_signal_connect (dialog, "destroy", G_CALLBACK (forget_widget_cb), slot);
  gtk_widget_show_all (GTK_WIDGET (dialog));
  pidgin_blist_add_alert (GTK_WIDGET (dialog));
}

static void
destroy_slot (GtkWidget **slot)
{
  if (*slot != NULL)
    gtk_widget_destroy (*slot); /* clears *slot */
}

static void
cancel_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkContext *ctx = data;
  gboolean ok = FALSE;

  ctx->import->cancelled = TRUE;
  purple_plugin_ipc_call (ctx->core, SB_IPC_IMPORT_CANCEL, &ok);
}

/* The progress mini-dialog, made when missing. */
static void
ensure_progress (SbGtkContext *ctx)
{
  SbGtkImport *import = ctx->import;
  PidginMiniDialog *dialog;

  if (import->progress != NULL || !blist_ready ())
    return;
  destroy_slot (&import->summary);
  /* TRANSLATORS: title while the existing logs are being read */
  dialog = pidgin_mini_dialog_new (_("Importing your chat history\342\200\246"), NULL,
                                   PIDGIN_STOCK_DIALOG_INFO);
  import->bar = gtk_progress_bar_new ();
  gtk_box_pack_start (dialog->contents, import->bar, FALSE, FALSE, 0);
  /* TRANSLATORS: button: stops the import (it resumes from there next time) */
  pidgin_mini_dialog_add_button (dialog, _("Cancel"), cancel_cb, ctx);
  add_alert (&import->progress, dialog);
}

static void
import_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkContext *ctx = data;
  gboolean ok = FALSE;
  gboolean started = GPOINTER_TO_INT (
    purple_plugin_ipc_call (ctx->core, SB_IPC_IMPORT_START, &ok, NULL));

  if (!ok || !started)
    {
      purple_debug_warning (SB_GTK_PLUGIN_ID, "the core plugin did not start the import\n");
      return;
    }
  ctx->import->cancelled = FALSE;
  ensure_progress (ctx);
}

static void
not_now_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
  SbGtkContext *ctx = data;
  gboolean ok = FALSE;

  purple_plugin_ipc_call (ctx->core, SB_IPC_IMPORT_DECLINE, &ok);
}

static void
show_offer (SbGtkContext *ctx)
{
  PidginMiniDialog *dialog;

  ctx->import->offer_waiting = FALSE;
  if (ctx->import->offer != NULL)
    return;
  /* TRANSLATORS: title of the offer to read the existing Pidgin logs */
  dialog = pidgin_mini_dialog_new (
    _("Import your chat history?"),
    _("Smile Back can read the logs Pidgin already keeps, so its hints are useful from "
      "today. Only times and who wrote are kept, never the messages."),
    PIDGIN_STOCK_DIALOG_INFO);
  /* TRANSLATORS: button: starts reading the existing logs */
  pidgin_mini_dialog_add_button (dialog, _("Import"), import_cb, ctx);
  /* TRANSLATORS: button: declines the import (the Tools menu still offers it) */
  pidgin_mini_dialog_add_button (dialog, _("Not now"), not_now_cb, ctx);
  add_alert (&ctx->import->offer, dialog);
}

static gboolean
offer_cb (SbGtkContext *ctx)
{
  if (blist_ready ())
    show_offer (ctx);
  else
    ctx->import->offer_waiting = TRUE;
  return TRUE;
}

/* "N messages in M conversations, from F files". Caller frees. */
static char *
describe_result (const SbIpcImportProgress *progress)
{
  /* TRANSLATORS: first part of the import's result, %u is a count */
  g_autofree char *messages = g_strdup_printf (ngettext ("%u message", "%u messages",
                                                         progress->messages),
                                               progress->messages);
  guint episodes = (guint) MAX (progress->episodes, 0);
  /* TRANSLATORS: second part of the import's result, %u is a count */
  g_autofree char *conversations = g_strdup_printf (ngettext ("%u conversation",
                                                              "%u conversations", episodes),
                                                    episodes);
  /* TRANSLATORS: third part of the import's result, %u is a count */
  g_autofree char *files = g_strdup_printf (ngettext ("%u file", "%u files",
                                                      progress->files_imported),
                                            progress->files_imported);

  /* TRANSLATORS: the import's result: "120 messages in 14 conversations, from 9 files" */
  return g_strdup_printf (_("%s in %s, from %s."), messages, conversations, files);
}

/* The dialog closes itself after a click: nothing else to do. */
static void
close_cb (PidginMiniDialog *dialog, GtkButton *button, gpointer data)
{
}

static void
show_summary (SbGtkContext *ctx, const SbIpcImportProgress *progress)
{
  g_autofree char *text = describe_result (progress);
  PidginMiniDialog *dialog;

  destroy_slot (&ctx->import->summary);
  /* TRANSLATORS: title once the existing logs were read */
  dialog = pidgin_mini_dialog_new (_("Chat history imported"), text, PIDGIN_STOCK_DIALOG_INFO);
  /* TRANSLATORS: button: closes the import's result */
  pidgin_mini_dialog_add_button (dialog, _("OK"), close_cb, NULL);
  add_alert (&ctx->import->summary, dialog);
}

static void
progress_cb (const SbIpcImportProgress *progress, gboolean finished, SbGtkContext *ctx)
{
  SbGtkImport *import = ctx->import;

  if (progress == NULL)
    return;
  destroy_slot (&import->offer);
  if (finished)
    {
      destroy_slot (&import->progress);
      if (!import->cancelled && blist_ready ())
        show_summary (ctx, progress);
      import->cancelled = FALSE;
      sb_gtk_hints_redraw_all (ctx);
      sb_gtk_window_queue_refresh (ctx);
      return;
    }
  if (import->cancelled)
    return; /* stopping after the current file */
  ensure_progress (ctx);
  if (import->progress != NULL)
    {
      g_autofree char *text = NULL;

      if (progress->bytes_total > 0)
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (import->bar),
                                       CLAMP ((double) progress->bytes_done
                                                / (double) progress->bytes_total, 0.0, 1.0));
      else
        gtk_progress_bar_pulse (GTK_PROGRESS_BAR (import->bar));
      /* TRANSLATORS: import progress: files read so far of all files found */
      text = g_strdup_printf (ngettext ("%u of %u file", "%u of %u files", progress->files_total),
                              progress->files_done, progress->files_total);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (import->bar), text);
    }
}

static void
blist_created_cb (PurpleBuddyList *blist, SbGtkContext *ctx)
{
  if (ctx->import->offer_waiting)
    show_offer (ctx);
}

void
sb_gtk_import_init (SbGtkContext *ctx)
{
  ctx->import = g_new0 (SbGtkImport, 1);
  purple_signal_connect (ctx->core, SB_SIGNAL_IMPORT_OFFER, ctx->plugin, PURPLE_CALLBACK (offer_cb),
                         ctx);
  purple_signal_connect (ctx->core, SB_SIGNAL_IMPORT_PROGRESS, ctx->plugin,
                         PURPLE_CALLBACK (progress_cb), ctx);
  purple_signal_connect (pidgin_blist_get_handle (), "gtkblist-created", ctx->plugin,
                         PURPLE_CALLBACK (blist_created_cb), ctx);
}

void
sb_gtk_import_shutdown (SbGtkContext *ctx)
{
  SbGtkImport *import = ctx->import;

  if (import == NULL)
    return;
  purple_signal_disconnect (ctx->core, SB_SIGNAL_IMPORT_OFFER, ctx->plugin,
                            PURPLE_CALLBACK (offer_cb));
  purple_signal_disconnect (ctx->core, SB_SIGNAL_IMPORT_PROGRESS, ctx->plugin,
                            PURPLE_CALLBACK (progress_cb));
  purple_signal_disconnect (pidgin_blist_get_handle (), "gtkblist-created", ctx->plugin,
                            PURPLE_CALLBACK (blist_created_cb));
  destroy_slot (&import->offer);
  destroy_slot (&import->progress);
  destroy_slot (&import->summary);
  g_clear_pointer (&ctx->import, g_free);
}
