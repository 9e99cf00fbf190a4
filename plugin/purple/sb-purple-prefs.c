/* sb-purple-prefs.c: the preferences of core-smileback and their frame.
 *
 * G and R are kept in seconds (the ledger's unit, and what lets the e2e suite
 * play conversations with short real gaps), the window in days.  The excluded
 * accounts are one string of user names separated by commas, spaces or
 * semicolons, matched without case and without resource.  The frame is a
 * PurplePluginPrefFrame, so Pidgin and Finch both show it.  Every change under
 * SB_PREF_ROOT re-reads everything: new parameters go to the ledger (which
 * re-segments history), the excluded set is rebuilt.
 */
#include "sb-purple-private.h"
#include "sb-purple-planner.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* Bounds of the frame's spin buttons: G and R from one second (tests) to 30
 * and 365 days, the window from a week to ten years. */
#define GAP_MAX_S (30 * 86400)
#define ANSWER_MAX_S (365 * 86400)
#define WINDOW_MIN_DAYS 7
#define WINDOW_MAX_DAYS 3650

void
sb_purple_prefs_register (void)
{
  const SbParams defaults = SB_PARAMS_DEFAULT;

  purple_prefs_add_none ("/plugins/core");
  purple_prefs_add_none (SB_PREF_ROOT);
  purple_prefs_add_int (SB_PREF_GAP_S, (int) defaults.gap_s);
  purple_prefs_add_int (SB_PREF_ANSWER_S, (int) defaults.answer_s);
  purple_prefs_add_int (SB_PREF_WINDOW_DAYS, (int) (defaults.window_s / SB_DAY));
  purple_prefs_add_string (SB_PREF_EXCLUDED, "");
  purple_prefs_add_int (SB_PREF_CLOCK_OFFSET_S, 0);
}

void
sb_purple_prefs_get_params (SbParams *params)
{
  sb_params_init (params);
  params->gap_s = purple_prefs_get_int (SB_PREF_GAP_S);
  params->answer_s = purple_prefs_get_int (SB_PREF_ANSWER_S);
  params->window_s = purple_prefs_get_int (SB_PREF_WINDOW_DAYS) * SB_DAY;
  if (!sb_params_validate (params, NULL))
    {
      purple_debug_warning ("smileback", "invalid G/R/window preferences, using defaults\n");
      sb_params_init (params);
    }
}

static GHashTable *
parse_excluded (const char *text)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ",; \t\n", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *name;
      char *slash;

      if (parts[i][0] == '\0')
        continue;
      name = g_utf8_casefold (parts[i], -1);
      slash = strchr (name, '/');
      if (slash != NULL)
        *slash = '\0';
      g_hash_table_add (set, name);
    }
  return set;
}

static void
pref_changed_cb (const char *name, PurplePrefType type, gconstpointer value, gpointer data)
{
  SbPurple *ctx = data;
  g_autoptr (GError) error = NULL;
  SbParams params;
  const SbParams *current;

  g_clear_pointer (&ctx->excluded, g_hash_table_unref);
  ctx->excluded = parse_excluded (purple_prefs_get_string (SB_PREF_EXCLUDED));
  if (ctx->ledger == NULL)
    return; /* opened later with the preferences of then */
  current = sb_ledger_get_params (ctx->ledger);

  sb_purple_prefs_get_params (&params);
  if (params.gap_s == current->gap_s && params.answer_s == current->answer_s
      && params.window_s == current->window_s)
    return;
  if (!sb_ledger_set_params (ctx->ledger, &params, sb_purple_now (), &error))
    purple_debug_error ("smileback", "cannot apply new preferences: %s\n", error->message);
}

void
sb_purple_prefs_init (SbPurple *ctx)
{
  ctx->excluded = parse_excluded (purple_prefs_get_string (SB_PREF_EXCLUDED));
  purple_prefs_connect_callback (ctx->plugin, SB_PREF_ROOT, pref_changed_cb, ctx);
}

void
sb_purple_prefs_shutdown (SbPurple *ctx)
{
  purple_prefs_disconnect_by_handle (ctx->plugin);
  g_clear_pointer (&ctx->excluded, g_hash_table_unref);
}

PurplePluginPrefFrame *
sb_purple_prefs_frame (PurplePlugin *plugin)
{
  PurplePluginPrefFrame *frame = purple_plugin_pref_frame_new ();
  PurplePluginPref *pref;

  pref = purple_plugin_pref_new_with_label (_("Conversations"));
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_GAP_S,
    /* TRANSLATORS: G in the design; 21600 seconds is the default (6 hours) */
    _("Silence that ends a conversation (seconds)"));
  purple_plugin_pref_set_bounds (pref, 1, GAP_MAX_S);
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_ANSWER_S,
    /* TRANSLATORS: R in the design; 172800 seconds is the default (48 hours) */
    _("A late reply still answers within (seconds)"));
  purple_plugin_pref_set_bounds (pref, 1, ANSWER_MAX_S);
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (SB_PREF_WINDOW_DAYS,
                                                     _("Recent figures cover (days)"));
  purple_plugin_pref_set_bounds (pref, WINDOW_MIN_DAYS, WINDOW_MAX_DAYS);
  purple_plugin_pref_frame_add (frame, pref);

  /* The planner's preferences (sb-purple-planner.h), registered at load. */
  pref = purple_plugin_pref_new_with_label (_("Prompts"));
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (SB_PREF_MAX_PER_DAY,
                                                     _("At most this many prompts a day"));
  purple_plugin_pref_set_bounds (pref, 0, 20);
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_QUIET_START,
    /* TRANSLATORS: 1320 minutes after midnight is 22:00, the default */
    _("Quiet hours start (minutes after midnight)"));
  purple_plugin_pref_set_bounds (pref, 0, 24 * 60 - 1);
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_QUIET_END,
    /* TRANSLATORS: 480 minutes after midnight is 08:00, the default */
    _("Quiet hours end (minutes after midnight)"));
  purple_plugin_pref_set_bounds (pref, 0, 24 * 60 - 1);
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_FOLLOW_UP, _("Remind me when a message of mine goes unanswered"));
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_label (_("Privacy"));
  purple_plugin_pref_frame_add (frame, pref);

  pref = purple_plugin_pref_new_with_name_and_label (
    SB_PREF_EXCLUDED, _("Accounts to leave out (user names, separated by commas)"));
  purple_plugin_pref_frame_add (frame, pref);
  return frame;
}
