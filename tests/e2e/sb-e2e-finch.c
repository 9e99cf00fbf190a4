/* sb-e2e-finch.c: Finch in a pseudo-terminal (see sb-e2e-finch.h). */
#include "sb-e2e-finch.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define FINCH_EXIT_MS 10000

gboolean
sb_e2e_finch_usable (const char **why)
{
  g_autofree char *finch_path = g_find_program_in_path ("finch");

  if (finch_path == NULL)
    {
      *why = "finch is not installed";
      return FALSE;
    }
  if (g_strcmp0 (g_getenv ("SMILEBACK_SANITIZED"), "1") == 0)
    {
      /* See tests/e2e/meson.build: an uninstrumented Finch cannot load an
       * instrumented plugin.  The plain build runs these tests. */
      *why = "sanitized build: Finch cannot load an instrumented plugin";
      return FALSE;
    }
  return TRUE;
}

static gboolean
output_cb (GIOChannel *channel, GIOCondition condition, gpointer data)
{
  SbE2eFinch *finch = data;
  char buffer[4096];
  ssize_t n = read (finch->master, buffer, sizeof buffer);

  if (n <= 0)
    {
      finch->watch = 0;
      return G_SOURCE_REMOVE;
    }
  g_string_append_len (finch->output, buffer, n);
  sb_test_screen_feed (finch->screen, buffer, (gsize) n);
  return G_SOURCE_CONTINUE;
}

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
write_profile (const char *dir, guint16 port, const SbE2eFinchOptions *options)
{
  g_autoptr (GString) items = g_string_new (NULL);
  g_autofree char *accounts = NULL;
  g_autofree char *prefs = NULL;

  for (const char *const *p = options->plugins; p != NULL && *p != NULL; p++)
    {
      g_autofree char *path = sb_test_build_path (*p);
      g_autofree char *xml = g_markup_printf_escaped ("    <item value='%s'/>\n", path);

      g_string_append (items, xml);
    }
  accounts = g_strdup_printf (
    "<?xml version='1.0' encoding='UTF-8' ?>\n"
    "<account version='1.0'>\n"
    " <account>\n"
    "  <protocol>prpl-jabber</protocol>\n"
    "  <name>alice@" SB_TEST_PROSODY_DOMAIN "/finch</name>\n"
    "  <password>alice-pw</password>\n"
    "  <settings>\n"
    "   <setting name='connect_server' type='string'>127.0.0.1</setting>\n"
    "   <setting name='port' type='int'>%u</setting>\n"
    "   <setting name='connection_security' type='string'>none</setting>\n"
    "   <setting name='auth_plain_in_clear' type='bool'>1</setting>\n"
    "   <setting name='ft_proxies' type='string'></setting>\n"
    "  </settings>\n"
    "  <settings ui='gnt-purple'>\n"
    "   <setting name='auto-login' type='bool'>1</setting>\n"
    "  </settings>\n"
    " </account>\n"
    "</account>\n",
    port);
  prefs = g_strdup_printf ("<?xml version='1.0' encoding='UTF-8' ?>\n"
                           "<pref version='1' name='/'>\n"
                           " <pref name='finch'>\n"
                           "  <pref name='plugins'>\n"
                           "   <pref name='loaded' type='pathlist'>\n"
                           "%s"
                           "   </pref>\n"
                           "  </pref>\n"
                           "%s"
                           " </pref>\n"
                           " <pref name='plugins'>\n"
                           "  <pref name='core'>\n"
                           "   <pref name='smileback'>\n"
                           "%s"
                           "   </pref>\n"
                           "  </pref>\n"
                           " </pref>\n"
                           "</pref>\n",
                           items->str, options->finch_prefs != NULL ? options->finch_prefs : "",
                           options->smileback_prefs != NULL ? options->smileback_prefs : "");
  write_file (dir, "accounts.xml", accounts);
  write_file (dir, "prefs.xml", prefs);
}

SbE2eFinch *
sb_e2e_finch_start (guint16 port, const SbE2eFinchOptions *options)
{
  g_autoptr (GError) error = NULL;
  struct winsize size = {
    .ws_row = options->rows > 0 ? options->rows : 40,
    .ws_col = options->cols > 0 ? options->cols : 132,
  };
  SbE2eFinch *finch = g_new0 (SbE2eFinch, 1);
  g_auto (GStrv) envp = NULL;
  const char *argv[] = { "finch", "-c", NULL, NULL };
  g_autofree char *log_path = NULL;
  int log_fd;
  GIOChannel *channel;
  pid_t pid;

  finch->dir = g_dir_make_tmp ("smileback-finch-XXXXXX", &error);
  g_assert_no_error (error);
  finch->output = g_string_new (NULL);
  finch->screen = sb_test_screen_new (size.ws_row, size.ws_col);
  write_profile (finch->dir, port, options);
  if (options->prepare != NULL)
    options->prepare (finch->dir, options->prepare_data);

  /* Finch gets its own HOME (no ~/.gntrc), a plain terminal and UTF-8.
   * Everything is prepared before the fork: the child only execs. */
  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "HOME", finch->dir, TRUE);
  envp = g_environ_setenv (envp, "TERM", "xterm", TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  /* Finch is not ours to make strict: GLib criticals of its own (a stale
   * source id at start-up) must not abort it. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");

  argv[2] = finch->dir;
  log_path = g_build_filename (finch->dir, "finch-stderr.log", NULL);
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  pid = forkpty (&finch->master, NULL, NULL, &size);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Finch dies with the test, even when an assertion aborts it. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* Finch's warnings go to stderr: a file, not the screen. */
      dup2 (log_fd, STDERR_FILENO);
      execvpe ("finch", (char **) argv, envp);
      _exit (127);
    }
  close (log_fd);
  finch->pid = pid;
  channel = g_io_channel_unix_new (finch->master);
  finch->watch = g_io_add_watch (channel, G_IO_IN | G_IO_HUP | G_IO_ERR, output_cb, finch);
  g_io_channel_unref (channel);
  return finch;
}

void
sb_e2e_finch_type (SbE2eFinch *finch, const char *keys)
{
  gsize len = strlen (keys);

  g_assert_cmpint (write (finch->master, keys, len), ==, (gssize) len);
}

typedef struct
{
  SbE2eFinch *finch;
  const char *text;
  gboolean want;
  int row, col;
} TextWait;

static gboolean
text_is (gpointer data)
{
  TextWait *wait = data;

  return sb_test_screen_find (wait->finch->screen, wait->text, &wait->row, &wait->col)
         == wait->want;
}

gboolean
sb_e2e_finch_wait_text (SbE2eFinch *finch, const char *text, guint timeout_ms, int *row, int *col)
{
  TextWait wait = { finch, text, TRUE, -1, -1 };

  if (!sb_test_purple_wait (text_is, &wait, timeout_ms))
    return FALSE;
  if (row != NULL)
    *row = wait.row;
  if (col != NULL)
    *col = wait.col;
  return TRUE;
}

gboolean
sb_e2e_finch_wait_gone (SbE2eFinch *finch, const char *text, guint timeout_ms)
{
  TextWait wait = { finch, text, FALSE, -1, -1 };

  return sb_test_purple_wait (text_is, &wait, timeout_ms);
}

void
sb_e2e_finch_dump (SbE2eFinch *finch)
{
  g_autofree char *log_path = g_build_filename (finch->dir, "finch-stderr.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *screen = sb_test_screen_text (finch->screen);
  g_autofree char *printable = g_strescape (finch->output->str, "\n");
  gsize len = strlen (printable);

  if (g_file_get_contents (log_path, &log, NULL, NULL))
    g_test_message ("Finch's stderr:\n%s", log);
  g_test_message ("Finch's screen:\n%s", screen);
  g_test_message ("Finch's terminal output (last 4 KB):\n%s",
                  len > 4096 ? printable + len - 4096 : printable);
}

static gboolean
exited (gpointer data)
{
  SbE2eFinch *finch = data;

  return waitpid (finch->pid, NULL, WNOHANG) == finch->pid;
}

void
sb_e2e_finch_stop (SbE2eFinch *finch)
{
  if (finch->pid > 0)
    {
      /* Finch's own "quit" key first, so it unloads plugins; then by PID. */
      sb_e2e_finch_type (finch, "\033q");
      if (!sb_test_purple_wait (exited, finch, FINCH_EXIT_MS))
        {
          g_test_message ("Finch did not quit on Alt-q: killing PID %d", finch->pid);
          kill (finch->pid, SIGKILL);
          waitpid (finch->pid, NULL, 0);
        }
      finch->pid = 0;
    }
  if (finch->watch != 0)
    g_source_remove (finch->watch);
  close (finch->master);
  if (g_getenv ("SMILEBACK_TEST_KEEP") == NULL)
    sb_test_rm_rf (finch->dir);
  g_free (finch->dir);
  g_string_free (finch->output, TRUE);
  sb_test_screen_free (finch->screen);
  g_free (finch);
}
