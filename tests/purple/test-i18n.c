/* test-i18n: the plugins speak the user's language.
 *
 * Run by meson under LANGUAGE=de and LC_ALL=C.UTF-8 (no generated locale
 * needed; glibc honours LANGUAGE there) with SMILEBACK_LOCALEDIR at the build
 * tree's catalogues (include/smileback/sb-i18n.h).  Each case first points
 * the text domain at a folder with no catalogue, so it passes only when the
 * plugin it probes binds the domain itself, in init_plugin, before the name
 * and summary libpurple shows in its plugin list: a UI plugin (Pidgin's,
 * Finch's) may be the first whose strings load.  A translated string differs from
 * its English msgid and is what the catalogue gives for it.
 */
#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sb-test-purple.h"

/* LeakSanitizer's switch, when the test runs under it (weak: NULL without).
 * libpurple 2.14's purple_plugin_probe() loses one string when a plugin both
 * misses symbols (Pidgin's or Finch's, here) and wants another UI: the second error
 * message replaces the first without freeing it. */
void __lsan_disable (void) __attribute__ ((weak));
void __lsan_enable (void) __attribute__ ((weak));

typedef struct
{
  const char *path;    /* below SMILEBACK_BUILD_ROOT */
  const char *name;    /* the English msgids of its PurplePluginInfo */
  const char *summary;
  gboolean other_ui;   /* a plugin for Pidgin, probed without Pidgin */
} PluginCase;

static const PluginCase pidgin_plugin = {
  "plugin/pidgin/gtk-smileback.so",
  "Smile Back for Pidgin",
  "Who smiles back? Reciprocity hints beside your buddies.",
  TRUE,
};

static const PluginCase finch_plugin = {
  "plugin/finch/gnt-smileback.so",
  "Smile Back for Finch",
  "Who smiles back? Your buddy list grouped by who answers whom.",
  TRUE,
};

static const PluginCase core_plugin = {
  "plugin/purple/core-smileback.so",
  "Smile Back",
  "Who smiles back? Records who starts your conversations.",
  FALSE,
};

/* purple_plugin_probe(), without leak checking for a plugin of another UI
 * (see above). */
static PurplePlugin *
probe (const PluginCase *c, const char *path)
{
  gboolean quiet = c->other_ui && __lsan_disable != NULL && __lsan_enable != NULL;

  if (quiet)
    __lsan_disable ();
  PurplePlugin *plugin = purple_plugin_probe (path);
  if (quiet)
    __lsan_enable ();
  return plugin;
}

static void
assert_translated (const char *shown, const char *msgid)
{
  g_test_message ("\"%s\" is shown as \"%s\"", msgid, shown);
  g_assert_nonnull (shown);
  g_assert_cmpstr (shown, ==, g_dgettext (GETTEXT_PACKAGE, msgid));
  g_assert_cmpstr (shown, !=, msgid);
}

static void
test_plugin_speaks_german (gconstpointer data)
{
  const PluginCase *c = data;
  g_autofree char *path = sb_test_build_path (c->path);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this plugin is not built here");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, "/nonexistent");
  /* Probing runs init_plugin; a plugin for another UI (Pidgin's, Finch's) is
   * probed but left unloadable, with its info filled in. */
  PurplePlugin *plugin = probe (c, path);
  g_assert_nonnull (plugin);
  g_assert_nonnull (plugin->info);
  assert_translated (plugin->info->summary, c->summary);
  /* A language may keep the product's name: compared with the catalogue only. */
  g_assert_cmpstr (plugin->info->name, ==, g_dgettext (GETTEXT_PACKAGE, c->name));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("SMILEBACK_LOCALEDIR") == NULL || g_strcmp0 (g_getenv ("LANGUAGE"), "de") != 0)
    g_error ("run through meson test: it sets SMILEBACK_LOCALEDIR and LANGUAGE=de");
  sb_test_purple_init ();

  g_test_add_data_func ("/i18n/pidgin-plugin-first", &pidgin_plugin, test_plugin_speaks_german);
  g_test_add_data_func ("/i18n/finch-plugin-first", &finch_plugin, test_plugin_speaks_german);
  g_test_add_data_func ("/i18n/core-plugin", &core_plugin, test_plugin_speaks_german);

  int status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
