/* sb-cli-threads.c: `smileback threads`: which line each line of a group chat
 * log answers.
 *
 *   smileback threads [--confident] FILE...
 *
 * Prints "LINE PARENT" for each line of the file (0-based line numbers;
 * PARENT == LINE for a line starting a new thread and for system lines), the
 * decision of sb-reply.h, the same as live capture makes.  With several files
 * each row is prefixed by "FILE:".  Reads plain IRC logs and Pidgin or Finch
 * chat logs (HTML or TXT), see sb-chat-log.h.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

/* Prints @path's rows; FALSE with the error printed when it cannot be read. */
static gboolean
print_threads (const char *path, gboolean prefix, gboolean confident_only)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbChatLog) log = sb_chat_log_read (path, &error);
  if (log == NULL)
    {
      /* TRANSLATORS: %s is a file, then why it could not be read */
      sb_cli_error (_("cannot read %s: %s"), path, error->message);
      return FALSE;
    }
  g_autoptr (GArray) links = sb_chat_log_thread (log);
  for (guint i = 0; i < links->len; i++)
    {
      const SbReplyLink *link = &g_array_index (links, SbReplyLink, i);
      gint64 parent = confident_only && !link->confident ? link->seq : link->parent;
      if (prefix)
        printf ("%s:", path);
      printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", link->seq, parent);
    }
  return TRUE;
}

int
sb_cli_threads (int argc, char **argv)
{
  gboolean confident_only = FALSE;
  const GOptionEntry entries[] = {
    { "confident", 0, 0, G_OPTION_ARG_NONE, &confident_only,
      N_ ("Show links the scorer is unsure of as new threads"), NULL },
    { NULL },
  };
  if (!sb_cli_parse_options (&argc, &argv, _("FILE…"),
                             _("For each line of a group chat log, the line it answers: "
                               "“LINE PARENT”, 0-based, PARENT = LINE for a new thread or a "
                               "system line."),
                             entries, G_MAXINT))
    return 2;
  if (argc < 2)
    {
      sb_cli_error (_("no log file given"));
      return 2;
    }
  int status = 0;
  for (int i = 1; i < argc; i++)
    if (!print_threads (argv[i], argc > 2, confident_only))
      status = 1;
  return status;
}
