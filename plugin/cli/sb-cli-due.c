/* sb-cli-due.c: `smileback due`: who to reach out to, best first, with the
 * reason for each: the core planner's list in the prompts' own words
 * (sb-prompt.h), as the plugin's "Who should I reach out to?" shows it (snoozes, the daily cap and quiet hours are the
 * prompts' manners and do not hide anyone here).
 *
 * The plugin knows who is online and leaves out accounts not connected; the
 * command knows neither, so everyone counts as offline and every tracked
 * buddy of the history is considered.  Keep-in-touch settings and groups come
 * from the buddy list file.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

/* The planner's view of the tracked buddies.  Points into @buddies. */
static GArray *
planner_buddies (GPtrArray *buddies)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SbPlannerBuddy));
  for (guint i = 0; i < buddies->len; i++)
    {
      const SbCliBuddy *buddy = g_ptr_array_index (buddies, i);
      SbPlannerBuddy entry = { .key = buddy->key, .stats = &buddy->stats,
                               .keep_in_touch_s = buddy->keep_in_touch_s,
                               .group = buddy->group };
      if (buddy->tracked)
        g_array_append_val (out, entry);
    }
  return out;
}

static const SbCliBuddy *
buddy_of (GPtrArray *buddies, const SbBuddyKey *key)
{
  for (guint i = 0; i < buddies->len; i++)
    if (sb_buddy_key_equal (((SbCliBuddy *) g_ptr_array_index (buddies, i))->key, key))
      return g_ptr_array_index (buddies, i);
  return NULL;
}

/* The prompt's own words (sb-prompt.h), as the plugin asks it: the title
 * ("Reach out to Bobby Tables?") with the buddy's full name, then why. */
static void
print_due (GPtrArray *due, GPtrArray *buddies, gint64 now)
{
  if (due->len == 0)
    printf ("%s\n", _("Nobody is due: you are in touch with everyone."));
  int width = sb_cli_terminal_width ();
  for (guint i = 0; i < due->len; i++)
    {
      const SbPrompt *prompt = g_ptr_array_index (due, i);
      g_autofree char *name = sb_cli_buddy_name (buddy_of (buddies, prompt->key));
      g_autofree char *shown = sb_cli_fit (name, MAX (width - 30, 20), SB_CLI_CUT_MIDDLE, FALSE);
      SbPromptScene scene = { .name = g_strchomp (shown), .now = now };
      g_autoptr (SbPromptWording) wording = sb_prompt_wording_new (prompt, &scene);
      if (wording != NULL)
        printf ("%2u. %s\n    %s\n", i + 1, wording->title, wording->text);
    }
}

int
sb_cli_due (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  const GOptionEntry entries[] = { SB_CLI_DB_OPTION (db_option), { NULL } };
  if (!sb_cli_parse_options (&argc, &argv, NULL, _(SB_CLI_DUE_SUMMARY), entries, 0))
    return 2;

  g_autoptr (SbCliHistory) history = sb_cli_history_open (db_option, G_MININT64, SB_STORE_READ_ONLY);
  if (history == NULL)
    return 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbPlanner) planner = sb_planner_new (history->store, &error);
  if (planner == NULL)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  g_autoptr (GArray) entries_in = planner_buddies (history->buddies);
  SbPlannerMoment moment = { .now = history->now, .available = TRUE };
  g_autoptr (GPtrArray) due = sb_planner_list_due (planner, (const SbPlannerBuddy *) entries_in->data,
                                                   entries_in->len, &moment);
  print_due (due, history->buddies, history->now);
  return 0;
}
