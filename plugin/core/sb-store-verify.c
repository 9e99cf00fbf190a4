/* sb-store-verify.c: the full check of a history that was closed cleanly,
 * run beside the caller instead of in front of it.
 *
 * After a clean close the store opens with a light check (the small tables),
 * so a large history opens fast; damage deeper in (a disk error, a stray
 * write in a data page) would then go unseen until something reads the very
 * page.  So the owner of the file (the plugin) also runs PRAGMA
 * quick_check(1) on a thread of its own, with its own read-only connection,
 * and asks for the verdict later (sb_store_get_check()).  Measured on 100,000
 * events (5 MB) the check costs 30 to 50 ms, on a million (52 MB) 0.5 to
 * 0.7 s: about twice what opening costs, so it does not run in front of it
 * (docs/design.md, "Performance budgets").
 */
#include "sb-store-private.h"

struct _SbVerifier
{
  GThread *thread;
  sqlite3 *db;     /* the thread's until it ends; interrupted from outside */
  gint verdict;    /* SbStoreCheck, set once by the thread */
  char *problem;   /* SQLite's complaint when DAMAGED; written before verdict */
};

/* The thread: one quick_check, its verdict, nothing else. */
static gpointer
verify_main (gpointer data)
{
  SbVerifier *verifier = data;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (verifier->db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  const char *result = rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0) : NULL;
  SbStoreCheck verdict = SB_STORE_CHECK_SOUND;
  if (rc == SQLITE_ROW && g_strcmp0 (result, "ok") != 0)
    verifier->problem = g_strdup (result);
  else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
    verifier->problem = g_strdup (sqlite3_errmsg (verifier->db));
  /* Anything else (interrupted, out of memory) is no verdict on the file. */
  if (verifier->problem != NULL)
    verdict = SB_STORE_CHECK_DAMAGED;
  g_atomic_int_set (&verifier->verdict, verdict);
  return NULL;
}

SbVerifier *
sb_store_verifier_start (const char *path, GError **error)
{
  sqlite3 *db = NULL;
  /* The owner holds the file open in WAL mode: its -wal and -shm exist, so
   * this reader creates nothing. */
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      sb_store_set_sqlite_error (db, rc, "cannot open the database to check it", error);
      sqlite3_close (db);
      return NULL;
    }
  SbVerifier *verifier = g_new0 (SbVerifier, 1);
  verifier->db = db;
  verifier->verdict = SB_STORE_CHECK_PENDING;
  verifier->thread = g_thread_new ("smileback-verify", verify_main, verifier);
  return verifier;
}

SbStoreCheck
sb_store_verifier_get (SbVerifier *verifier, const char **problem)
{
  SbStoreCheck verdict = g_atomic_int_get (&verifier->verdict);
  if (problem != NULL)
    *problem = verdict == SB_STORE_CHECK_DAMAGED ? verifier->problem : NULL;
  return verdict;
}

void
sb_store_verifier_stop (SbVerifier *verifier)
{
  if (g_atomic_int_get (&verifier->verdict) == SB_STORE_CHECK_PENDING)
    sqlite3_interrupt (verifier->db);
  g_thread_join (verifier->thread);
  sqlite3_close (verifier->db);
  g_free (verifier->problem);
  g_free (verifier);
}
