/* sb-test-prosody.h: a real XMPP server for the e2e and ui suites.
 *
 * Shared test harness (tests/common, static library sb_test_common).
 *
 * sb_test_prosody_start() runs Prosody on 127.0.0.1 on a free port, with its
 * own config file and data directory in a fresh temporary directory, and the
 * settings of docs/design.md, "libpurple facts": daemonize = false, s2s/tls/posix disabled,
 * run_as_root, no encryption required, plain auth in clear, internal_plain
 * storage.  The virtual host is "localhost"; a MUC component answers on
 * "conference.localhost".  Users (and, if asked, rosters making every user a
 * buddy of every other with subscription "both") are written straight into the
 * data directory before the server starts, the format Prosody's internal
 * storage reads, which is what `prosodyctl register` would write without
 * needing the data dir to belong to the prosody user.
 *
 * The server is stopped by its PID (SIGTERM, then SIGKILL after 5 s) and its
 * directory removed by sb_test_prosody_stop(); should the test die first, the
 * server gets SIGTERM from the kernel (PR_SET_PDEATHSIG).  Only loopback is
 * used.
 *
 * Typical use:
 *   static const SbTestProsodyUser users[] = { { "alice", "pw" }, { "bob", "pw" } };
 *   g_autoptr (GError) error = NULL;
 *   SbTestProsody *server = sb_test_prosody_start (users, 2, TRUE, &error);
 *   g_assert_no_error (error);
 *   ... connect clients to 127.0.0.1:sb_test_prosody_get_port (server) ...
 *   sb_test_prosody_stop (server);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The XMPP domain of every user and the MUC component's domain. */
#define SB_TEST_PROSODY_DOMAIN "localhost"
#define SB_TEST_PROSODY_MUC_DOMAIN "conference.localhost"

typedef struct
{
  const char *name;     /* node part only: "alice" gives alice@localhost */
  const char *password;
} SbTestProsodyUser;

typedef struct _SbTestProsody SbTestProsody;

/* TRUE when the prosody binary is on PATH.  A test that needs the server calls
 * g_test_skip() when this is FALSE. */
gboolean sb_test_prosody_available (void);

/* Writes the config and @n_users accounts (with @all_buddies, rosters where
 * every user has every other as a buddy, subscription both, group "Friends"),
 * starts Prosody and waits (up to 30 s) until it accepts connections.
 * NULL with @error when it could not start; its log is then in the message.
 * Free with sb_test_prosody_stop(). */
SbTestProsody *sb_test_prosody_start (const SbTestProsodyUser *users, guint n_users,
                                      gboolean all_buddies, GError **error);

/* The c2s port on 127.0.0.1. */
guint16 sb_test_prosody_get_port (SbTestProsody *server);

/* The server's PID (for tests that check it is gone). */
GPid sb_test_prosody_get_pid (SbTestProsody *server);

/* The temporary directory holding config, data and prosody.log.  Borrowed. */
const char *sb_test_prosody_get_dir (SbTestProsody *server);

/* Kills the server by PID, waits for it, removes its directory.  NULL-safe. */
void sb_test_prosody_stop (SbTestProsody *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbTestProsody, sb_test_prosody_stop)

/* Shared helpers for the tests that spawn processes. */

/* A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
 * released).  0 on failure. */
guint16 sb_test_free_port (void);

/* TRUE when something accepts TCP connections on 127.0.0.1:@port. */
gboolean sb_test_port_open (guint16 port);

/* Removes @path and everything under it.  NULL-safe; never follows symlinks. */
void sb_test_rm_rf (const char *path);

G_END_DECLS
