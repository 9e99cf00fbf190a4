/* sb-reliability.h: what the reliability suite's programs share.
 *
 * Each program is a libpurple client with core-smileback loaded, driven as
 * the purple suite drives it (tests/common/sb-test-purple.h).  Where a
 * process must be killed, or must have its own file-size limit, or must hold
 * the database's lock, the program runs itself again as a child
 * (sb_rel_spawn()): "--child NAME ARGS..." runs the program's own child
 * function, "--hold-lock DB MS" holds the write lock.  Children are stopped
 * by their PID only.  Figures are printed as TAP comments; no check is on a
 * timing except the main loop's lateness the brief of the suite states.
 */
#pragma once

#include <glib.h>
#include <purple.h>

G_BEGIN_DECLS

#define SB_REL_PLUGIN "plugin/purple/core-smileback.so"

/* Handles "--hold-lock DB MS" (and returns its exit status in *@status);
 * FALSE for any other command line.  Call first in main(). */
gboolean sb_rel_child_main (int argc, char **argv, int *status);

/* The main() of a program whose client runs in its own process: handles the
 * children's command lines, starts headless libpurple with the connected
 * account "me" (*@me), lets @add_tests add the tests, runs them and shuts
 * libpurple down.  Returns the exit status. */
int sb_rel_main (int argc, char **argv, PurpleAccount **me, void (*add_tests) (void));

/* Starts this program again with @args (NULL-terminated, after the program's
 * path); its stdout is read through *@out_fd when @out_fd is not NULL, else
 * inherited.  Aborts the test when it cannot start. */
GPid sb_rel_spawn (const char *const *args, int *out_fd);

/* Waits for @pid and returns its exit status (-signal when killed). */
int sb_rel_wait (GPid pid);

/* sb_rel_wait(), running the main loop meanwhile. */
int sb_rel_wait_running (GPid pid);

/* A child that opens @db, takes the write lock (BEGIN EXCLUSIVE) and holds
 * it @ms milliseconds; returns once the lock is held. */
GPid sb_rel_hold_lock (const char *db, guint ms);

/* Reads one line (without its newline) from @fd; NULL at the end.  Caller
 * frees. */
char *sb_rel_read_line (int fd);

/* Measures how late the main loop runs a 10 ms timer.  A tick whose thread
 * the kernel preempted meanwhile (an involuntary context switch: the machine
 * is busy with other work) is counted apart, in max_preempted_us: that
 * lateness is the machine's, not a wait of the client's.  A wait on SQLite
 * (a busy handler's sleep, a lock, a condition) is a voluntary switch and
 * counts in max_late_us. */
typedef struct
{
  guint id;
  gint64 last;       /* monotonic us of the last tick */
  long last_nivcsw;  /* involuntary switches of the thread by then */
  gint64 max_late_us;
  gint64 max_preempted_us;
  guint ticks;
} SbRelProbe;

void sb_rel_probe_start (SbRelProbe *probe);
void sb_rel_probe_stop (SbRelProbe *probe);

/* The digests of every event stored in @db (a set of guint64 *), read
 * through a separate read-only connection.  Caller unrefs. */
GHashTable *sb_rel_stored_digests (const char *db);

/* The digest Smile Back stores for @text in @db (its profile secret). */
guint64 sb_rel_digest (const char *db, const char *text);

/* How many of @texts (@n) are stored in @db. */
guint sb_rel_count_stored (const char *db, char **texts, guint n);

/* TRUE when PRAGMA integrity_check says "ok". */
gboolean sb_rel_integrity_ok (const char *db);

/* The profile's database: purple_user_dir()/smileback.db.  Caller frees. */
char *sb_rel_db_path (void);

/* Waits (running the main loop) up to @timeout_ms for all @n @texts to be
 * stored in @db; returns how many are. */
guint sb_rel_wait_stored (const char *db, char **texts, guint n, guint timeout_ms);

/* The median of @values (@n > 0, sorted in place). */
gint64 sb_rel_median (gint64 *values, guint n);

G_END_DECLS
