/* sb-test-util.c: temporary folders for tests and benchmarks. */
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *
sb_test_make_tmpdir (const char *name_template)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (name_template, &error);
  g_assert_no_error (error);
  return dir;
}

void
sb_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          sb_test_remove_tree (child);
        }
      if (dir != NULL)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

int
sb_test_run_cli (const char *const *args, const char *const *env_extra, char **out, char **err)
{
  const char *root = g_getenv ("SMILEBACK_BUILD_ROOT");
  g_assert_nonnull (root);
  g_autofree char *exe = g_build_filename (root, "plugin", "cli", "smileback", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, exe);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  g_auto (GStrv) env = g_get_environ ();
  for (const char *const *e = env_extra; e != NULL && *e != NULL; e++)
    {
      g_auto (GStrv) pair = g_strsplit (*e, "=", 2);
      env = g_environ_setenv (env, pair[0], pair[1], TRUE);
    }
  int status = -1;
  g_autoptr (GError) error = NULL;
  GSpawnFlags flags = G_SPAWN_STDIN_FROM_DEV_NULL | (out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0)
                      | (err == NULL ? G_SPAWN_STDERR_TO_DEV_NULL : 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, flags, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

void
sb_test_write_file (const char *root, const char *path, const char *data)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (full, data, -1, &error);
  g_assert_no_error (error);
}

void
sb_test_write_endless_line (const char *root, const char *path, const char *data, gint64 size)
{
  g_assert_null (strchr (data, '\n'));
  sb_test_write_file (root, path, data);
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_assert_cmpint (truncate (full, size), ==, 0);
}

void
sb_test_history_setup (SbTestHistory *history, gconstpointer data)
{
  history->dir = sb_test_make_tmpdir ("sb-cli-XXXXXX");
  history->db = g_build_filename (history->dir, "smileback.db", NULL);
  history->now = g_get_real_time () / G_USEC_PER_SEC;
}

void
sb_test_history_teardown (SbTestHistory *history, gconstpointer data)
{
  sb_test_remove_tree (history->dir);
  g_free (history->dir);
  g_free (history->db);
}
