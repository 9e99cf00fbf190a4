/* sb-cli-forget.c: `smileback forget NAME`: deletes every row about a buddy
 * (events, conversations, figures, prompts, pairs, and the group-chat rows
 * naming them), as the buddy menu's "Forget this buddy" does.
 *
 * On a terminal it asks first unless --yes; without a terminal it needs
 * --yes, so a script never deletes by accident.  The import marks (which log
 * files were read) stay: they keep the next import from bringing the buddy
 * back.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-dbfile.h>
#include <stdio.h>
#include <unistd.h>

/* TRUE when the user answers yes to forgetting @name. */
static gboolean
confirmed (const char *name)
{
  /* TRANSLATORS: %s is a buddy; the user answers y or n */
  printf (_("Forget everything about %s? This cannot be undone. [y/N] "), name);
  fflush (stdout);
  char answer[64] = "";
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  /* TRANSLATORS: the answer that means yes to a [y/N] question, lower case */
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0
         || g_utf8_collate (answer, _("y")) == 0;
}

static gboolean
forget (SbStore *store, const char *db, const SbCliBuddy *buddy, GError **error)
{
  return sb_store_forget_buddy (store, buddy->id, error)
         && sb_dbfile_forget_chat_member (db, buddy->key, error);
}

int
sb_cli_forget (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    SB_CLI_DB_OPTION (db_option),
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_ ("Do not ask for confirmation"), NULL },
    { NULL },
  };
  if (!sb_cli_parse_options (&argc, &argv, _("NAME"), _(SB_CLI_FORGET_SUMMARY), entries, 1)
      || !sb_cli_require_argument (argc, argv, _("NAME")))
    return 2;
  if (!yes && !isatty (STDIN_FILENO))
    {
      sb_cli_error (_("not forgetting without a confirmation: pass --yes"));
      return 2;
    }

  g_autoptr (SbCliHistory) history = sb_cli_history_open (db_option, G_MININT64, SB_STORE_VISITOR);
  const SbCliBuddy *buddy = history != NULL ? sb_cli_find_buddy (history->buddies, argv[1]) : NULL;
  if (buddy == NULL)
    return 1;
  g_autofree char *name = sb_cli_buddy_name (buddy);
  if (!yes && !confirmed (name))
    {
      printf ("%s\n", _("Nothing was deleted."));
      return 1;
    }
  g_autoptr (GError) error = NULL;
  if (!forget (history->store, history->db, buddy, &error))
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  /* TRANSLATORS: %s is a buddy */
  printf (_("Forgot %s.\n"), name);
  return 0;
}
