/* sb-cli-import.c: `smileback import`: backfills the history from Pidgin or
 * Finch logs.
 *
 *   smileback import [--db FILE] [--me NAME]... [LOGDIR]
 *
 * LOGDIR defaults to the profile's logs folder ($PURPLEHOME/logs or
 * ~/.purple/logs), the database to the profile's smileback.db.  A progress bar
 * goes to stderr when it is a terminal; the one-line summary to stdout.
 * Running it again imports only new or changed files.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-import.h>
#include <stdio.h>
#include <unistd.h>

/* Redraw the bar at most this often: the work is done in slices this long. */
#define SLICE_USEC (100 * 1000)
#define BAR_WIDTH 30

static void
draw_bar (const SbImportProgress *p)
{
  double fraction = p->bytes_total > 0 ? (double) p->bytes_done / (double) p->bytes_total
                    : p->files_total > 0 ? (double) p->files_done / p->files_total
                                         : 1.0;
  int filled = (int) (fraction * BAR_WIDTH + 0.5);
  char bar[BAR_WIDTH + 1];
  for (int i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';
  /* TRANSLATORS: a progress line: the bar, a percentage, files done of all
   * files, then messages found so far. */
  fputc ('\r', stderr);
  fprintf (stderr, _("[%s] %3d%%  %u/%u files  %u messages"), bar, (int) (fraction * 100),
           p->files_done, p->files_total, p->messages);
  fflush (stderr);
}

/* "Imported 12 files: 3400 new messages, 210 new conversations. Skipped 4
 * files: empty: 3; unreadable: 1."  Caller frees. */
static char *
summary (const SbImportProgress *p)
{
  GString *out = g_string_new (NULL);
  g_autofree char *files = g_strdup_printf (
    /* TRANSLATORS: %u is a number of log files */
    ngettext ("%u file", "%u files", p->files_imported), p->files_imported);
  g_autofree char *messages = g_strdup_printf (
    /* TRANSLATORS: %u is a number of messages */
    ngettext ("%u new message", "%u new messages", p->messages), p->messages);
  guint episodes = (guint) MAX (p->episodes, 0);
  g_autofree char *conversations = g_strdup_printf (
    /* TRANSLATORS: %u is a number of conversations (episodes) */
    ngettext ("%u new conversation", "%u new conversations", episodes), episodes);
  /* TRANSLATORS: "Imported 3 files: 120 new messages, 12 new conversations." */
  g_string_append_printf (out, _("Imported %s: %s, %s."), files, messages, conversations);

  guint skipped = 0;
  for (int r = 0; r < SB_IMPORT_SKIP_LAST; r++)
    skipped += p->skipped[r];
  if (skipped > 0)
    {
      g_autoptr (GString) why = g_string_new (NULL);
      for (int r = 0; r < SB_IMPORT_SKIP_LAST; r++)
        if (p->skipped[r] > 0)
          {
            if (why->len > 0)
              g_string_append (why, "; ");
            /* TRANSLATORS: why files were skipped, then how many: "empty: 3" */
            g_string_append_printf (why, _("%s: %u"), sb_import_skip_describe (r), p->skipped[r]);
          }
      g_string_append_c (out, ' ');
      g_string_append_printf (out,
                              /* TRANSLATORS: %u files skipped, then the reasons */
                              ngettext ("Skipped %u file: %s.", "Skipped %u files: %s.", skipped),
                              skipped, why->str);
    }
  return g_string_free (out, FALSE);
}

/* Runs @import to its end, with a progress bar on a terminal; prints the
 * summary.  The exit status. */
static int
run_import (SbImport *import, gint64 now)
{
  g_autoptr (GError) error = NULL;
  gboolean tty = isatty (STDERR_FILENO);
  while (sb_import_step (import, 0, SLICE_USEC, now, &error))
    if (tty)
      draw_bar (sb_import_get_progress (import));
  if (tty)
    {
      draw_bar (sb_import_get_progress (import));
      fputc ('\n', stderr);
    }

  /* Stopped by an error, the import's last batches may never reach the
   * disk: the summary tells what did. */
  g_autofree char *text = summary (error != NULL ? sb_import_get_saved_progress (import)
                                                 : sb_import_get_progress (import));
  printf ("%s\n", text);
  if (error != NULL)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

int
sb_cli_import (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_auto (GStrv) own_names = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, N_ ("The database (default: the profile's)"),
      N_ ("FILE") },
    { "me", 0, 0, G_OPTION_ARG_STRING_ARRAY, &own_names,
      N_ ("A name you appear as in text logs (repeatable)"), N_ ("NAME") },
    { NULL },
  };

  if (!sb_cli_parse_options (&argc, &argv, _("[LOGDIR]"),
                             _("Import existing Pidgin and Finch logs (default: the "
                               "profile's logs folder)."),
                             entries, 1))
    return 2;
  g_autofree char *logdir = NULL;
  if (argc == 2)
    logdir = g_strdup (argv[1]);
  else
    {
      g_autofree char *profile = sb_cli_default_profile_dir ();
      logdir = g_build_filename (profile, "logs", NULL);
    }
  if (!g_file_test (logdir, G_FILE_TEST_IS_DIR))
    {
      /* TRANSLATORS: %s is a folder */
      sb_cli_error (_("no logs at %s"), logdir);
      return 1;
    }

  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *path = sb_cli_db_path (db);
  g_autoptr (SbLedger) ledger = sb_cli_open_ledger (path);
  if (ledger == NULL)
    return 1;
  /* accounts.xml and blist.xml beside LOGDIR give the names of both sides */
  g_autoptr (SbImport) import = sb_import_new (ledger, logdir, NULL);
  for (char **name = own_names; name != NULL && *name != NULL; name++)
    sb_import_add_own_name (import, *name);
  return run_import (import, now);
}
