/* sb-test-prosody.c: start, feed and stop a throwaway Prosody (see the header).
 *
 * Prosody's internal storage keeps one Lua file per user and store:
 * DATA/<host>/accounts/<user>.dat and DATA/<host>/roster/<user>.dat, where
 * host and user are escaped as %xx for every non-alphanumeric byte.  Writing
 * them before start is what `prosodyctl register` does, without a Lua start-up
 * per user.
 */
#include "sb-test-prosody.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct _SbTestProsody
{
  char *dir;
  guint16 port;
  GPid pid;
};

/* How long Prosody gets to open its port, and to exit on SIGTERM.  Generous:
 * a loaded CI machine must not turn into a failure. */
#define START_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define POLL_US (20 * 1000)

gboolean
sb_test_prosody_available (void)
{
  g_autofree char *path = g_find_program_in_path ("prosody");
  return path != NULL;
}

guint16
sb_test_free_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  guint16 port = 0;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  if (fd < 0)
    return 0;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0
      && getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

gboolean
sb_test_port_open (guint16 port)
{
  struct sockaddr_in addr = { 0 };
  gboolean open;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  if (fd < 0)
    return FALSE;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (port);
  open = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return open;
}

void
sb_test_rm_rf (const char *path)
{
  GStatBuf st;

  if (path == NULL || g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          sb_test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* A Lua string literal for @s. */
static char *
lua_quote (const char *s)
{
  GString *out = g_string_new ("\"");

  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (out, '\\');
      if (*s == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* Prosody's datamanager escaping of a host or user name. */
static char *
storage_escape (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    {
      if (g_ascii_isalnum (*s))
        g_string_append_c (out, *s);
      else
        g_string_append_printf (out, "%%%02x", (guint) (guchar) *s);
    }
  return g_string_free (out, FALSE);
}

static gboolean
write_store (const char *data_dir, const char *store, const char *user, const char *contents,
             GError **error)
{
  g_autofree char *host = storage_escape (SB_TEST_PROSODY_DOMAIN);
  g_autofree char *folder = g_build_filename (data_dir, host, store, NULL);
  g_autofree char *escaped = storage_escape (user);
  g_autofree char *base = g_strconcat (escaped, ".dat", NULL);
  g_autofree char *file = g_build_filename (folder, base, NULL);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "mkdir %s: %s", folder,
                   g_strerror (errno));
      return FALSE;
    }
  return g_file_set_contents (file, contents, -1, error);
}

static gboolean
write_users (const char *data_dir, const SbTestProsodyUser *users, guint n_users,
             gboolean all_buddies, GError **error)
{
  for (guint i = 0; i < n_users; i++)
    {
      g_autofree char *password = lua_quote (users[i].password);
      g_autofree char *account = g_strdup_printf ("return {\n  [\"password\"] = %s;\n};\n",
                                                  password);
      g_autoptr (GString) roster = g_string_new ("return {\n  [false] = { [\"version\"] = 1; };\n");

      if (!write_store (data_dir, "accounts", users[i].name, account, error))
        return FALSE;
      if (!all_buddies)
        continue;
      for (guint j = 0; j < n_users; j++)
        {
          g_autofree char *jid = NULL;
          g_autofree char *quoted = NULL;
          g_autofree char *name = NULL;

          if (j == i)
            continue;
          jid = g_strdup_printf ("%s@%s", users[j].name, SB_TEST_PROSODY_DOMAIN);
          quoted = lua_quote (jid);
          name = lua_quote (users[j].name);
          g_string_append_printf (roster,
                                  "  [%s] = { [\"subscription\"] = \"both\"; [\"name\"] = %s;"
                                  " [\"groups\"] = { [\"Friends\"] = true; }; };\n",
                                  quoted, name);
        }
      g_string_append (roster, "};\n");
      if (!write_store (data_dir, "roster", users[i].name, roster->str, error))
        return FALSE;
    }
  return TRUE;
}

static char *
make_config (const char *dir, guint16 port)
{
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *log = g_build_filename (dir, "prosody.log", NULL);
  g_autofree char *pid = g_build_filename (dir, "prosody.pid", NULL);
  g_autofree char *q_data = lua_quote (data);
  g_autofree char *q_log = lua_quote (log);
  g_autofree char *q_pid = lua_quote (pid);

  return g_strdup_printf (
    "-- Written by the Smile Back test harness: loopback only, no TLS.\n"
    "daemonize = false\n"
    "run_as_root = true\n"
    "pidfile = %s\n"
    "data_path = %s\n"
    "log = { debug = %s }\n"
    "interfaces = { \"127.0.0.1\" }\n"
    "local_interfaces = { \"127.0.0.1\" }\n"
    "c2s_ports = { %u }\n"
    "c2s_direct_tls_ports = { }\n"
    "legacy_ssl_ports = { }\n"
    "s2s_ports = { }\n"
    "component_ports = { }\n"
    "http_ports = { }\n"
    "https_ports = { }\n"
    "modules_enabled = { \"roster\"; \"saslauth\"; \"disco\"; \"ping\"; \"private\";"
    " \"vcard\"; \"offline\"; \"version\"; \"uptime\"; \"time\" }\n"
    "modules_disabled = { \"s2s\"; \"tls\"; \"posix\" }\n"
    "c2s_require_encryption = false\n"
    "s2s_require_encryption = false\n"
    "allow_unencrypted_plain_auth = true\n"
    "authentication = \"internal_plain\"\n"
    "storage = \"internal\"\n"
    "allow_registration = false\n"
    "VirtualHost \"" SB_TEST_PROSODY_DOMAIN "\"\n"
    "Component \"" SB_TEST_PROSODY_MUC_DOMAIN "\" \"muc\"\n"
    "  restrict_room_creation = false\n",
    q_pid, q_data, q_log, port);
}

/* TRUE while @pid runs; reaps it when it exited. */
static gboolean
child_running (GPid pid)
{
  int status;
  pid_t r = waitpid (pid, &status, WNOHANG);

  return r == 0;
}

static char *
read_log (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "prosody.log", NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("(no log)");
  return text;
}

/* In the child before exec: the server dies with the test process, even when
 * an assertion aborts it before sb_test_prosody_stop(). */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* One attempt on one port: FALSE when Prosody exited (port taken) or timed out. */
static gboolean
try_start (SbTestProsody *server, GError **error)
{
  g_autofree char *config = make_config (server->dir, server->port);
  g_autofree char *config_path = g_build_filename (server->dir, "prosody.cfg.lua", NULL);
  const char *argv[] = { "prosody", "--config", config_path, "-F", NULL };
  gint64 deadline;

  if (!g_file_set_contents (config_path, config, -1, error))
    return FALSE;
  if (!g_spawn_async (server->dir, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                        | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      die_with_parent, NULL, &server->pid, error))
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  while (g_get_monotonic_time () < deadline)
    {
      if (!child_running (server->pid))
        {
          g_autofree char *log = read_log (server->dir);
          server->pid = 0;
          g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                       "prosody exited during start-up on port %u:\n%s", server->port, log);
          return FALSE;
        }
      if (sb_test_port_open (server->port))
        return TRUE;
      g_usleep (POLL_US);
    }
  {
    g_autofree char *log = read_log (server->dir);
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                 "prosody did not open port %u in time:\n%s", server->port, log);
  }
  return FALSE;
}

SbTestProsody *
sb_test_prosody_start (const SbTestProsodyUser *users, guint n_users, gboolean all_buddies,
                       GError **error)
{
  g_autoptr (SbTestProsody) server = g_new0 (SbTestProsody, 1);
  g_autofree char *data = NULL;

  server->dir = g_dir_make_tmp ("smileback-prosody-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;
  data = g_build_filename (server->dir, "data", NULL);
  if (!write_users (data, users, n_users, all_buddies, error))
    return NULL;

  /* The port was free when picked but another process may take it before
   * Prosody binds; a few fresh ports make that race harmless. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr (GError) local_error = NULL;

      server->port = sb_test_free_port ();
      if (server->port == 0)
        continue;
      if (try_start (server, &local_error))
        return g_steal_pointer (&server);
      if (server->pid != 0)
        {
          /* Timed out while still running: nothing to gain from retrying. */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (attempt == 2)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "no free port on 127.0.0.1");
  return NULL;
}

guint16
sb_test_prosody_get_port (SbTestProsody *server)
{
  return server->port;
}

GPid
sb_test_prosody_get_pid (SbTestProsody *server)
{
  return server->pid;
}

const char *
sb_test_prosody_get_dir (SbTestProsody *server)
{
  return server->dir;
}

void
sb_test_prosody_stop (SbTestProsody *server)
{
  if (server == NULL)
    return;
  if (server->pid > 0)
    {
      gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;

      kill (server->pid, SIGTERM);
      while (child_running (server->pid) && g_get_monotonic_time () < deadline)
        g_usleep (POLL_US);
      if (child_running (server->pid))
        {
          kill (server->pid, SIGKILL);
          waitpid (server->pid, NULL, 0);
        }
      g_spawn_close_pid (server->pid);
    }
  if (g_getenv ("SMILEBACK_TEST_KEEP") == NULL)
    sb_test_rm_rf (server->dir);
  g_free (server->dir);
  g_free (server);
}
