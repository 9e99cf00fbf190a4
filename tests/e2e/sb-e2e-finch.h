/* sb-e2e-finch.h: Finch in a pseudo-terminal, for the e2e programs.
 *
 * sb_e2e_finch_start() writes a throwaway Finch profile (accounts.xml with
 * alice@localhost, auto-login for Finch's UI "gnt-purple", against the test
 * Prosody on loopback; prefs.xml loading the given built plugins, with the
 * given extra preferences) and runs Finch in a pseudo-terminal (forkpty) with
 * its own HOME, TERM=xterm and a UTF-8 locale.  Everything Finch draws is
 * kept as raw bytes (for diagnostics) and fed to a model of the terminal
 * (sb-test-screen.h), so a test reads the screen a person would see.  Keys
 * are typed with sb_e2e_finch_type().  sb_e2e_finch_stop() quits Finch with
 * its own key (Alt-q, so plugins unload) and, should it not exit, kills it by
 * PID; Finch also dies with the test (PR_SET_PDEATHSIG).  The profile is
 * removed unless SMILEBACK_TEST_KEEP is set.
 */
#pragma once

#include <glib.h>

#include "sb-test-screen.h"

G_BEGIN_DECLS

typedef struct
{
  /* Built plugins to load, paths relative to the build root, NULL-terminated. */
  const char *const *plugins;
  /* XML of extra <pref> elements under /finch (after "plugins"); may be NULL. */
  const char *finch_prefs;
  /* XML of extra <pref> elements under /plugins/core/smileback; may be NULL. */
  const char *smileback_prefs;
  int rows, cols; /* the terminal's size; 0: 40 x 132 */
  /* Called with the profile's folder once it is written, before Finch starts
   * (to seed its history); may be NULL. */
  void (*prepare) (const char *profile_dir, gpointer data);
  gpointer prepare_data;
} SbE2eFinchOptions;

typedef struct
{
  char *dir;            /* the profile (finch -c DIR) */
  GPid pid;
  int master;           /* the pseudo-terminal */
  guint watch;
  GString *output;      /* every byte Finch wrote, for diagnostics */
  SbTestScreen *screen; /* what the terminal shows */
} SbE2eFinch;

/* TRUE when finch is on PATH and the build can load into it (not a
 * sanitized build: see tests/e2e/meson.build); else FALSE with a reason in
 * *@why. */
gboolean sb_e2e_finch_usable (const char **why);

/* Writes the profile and starts Finch against Prosody on 127.0.0.1:@port. */
SbE2eFinch *sb_e2e_finch_start (guint16 port, const SbE2eFinchOptions *options);

/* Types @keys into Finch's terminal. */
void sb_e2e_finch_type (SbE2eFinch *finch, const char *keys);

/* Waits (up to @timeout_ms, running the main loop) until the screen shows
 * @text on a line; its place in *@row, *@col (either may be NULL). */
gboolean sb_e2e_finch_wait_text (SbE2eFinch *finch, const char *text, guint timeout_ms, int *row,
                                 int *col);

/* Waits (up to @timeout_ms) until the screen no longer shows @text. */
gboolean sb_e2e_finch_wait_gone (SbE2eFinch *finch, const char *text, guint timeout_ms);

/* Logs Finch's stderr, the screen as a person sees it, and the tail of the
 * raw output (g_test_message), for a failure. */
void sb_e2e_finch_dump (SbE2eFinch *finch);

/* Quits Finch (Alt-q, then SIGKILL by PID), removes the profile, frees. */
void sb_e2e_finch_stop (SbE2eFinch *finch);

G_END_DECLS
