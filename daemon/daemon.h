/* daemon — the state `driftd run` keeps, shared by its loop (run.c) and
 * its control socket (ctl.c). */
#ifndef DRIFTD_DAEMON_H
#define DRIFTD_DAEMON_H

#include <stddef.h>
#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "alerts.h"
#include "attribution.h"
#include "aws.h"
#include "metrics.h"
#include "reconcile.h"
#include "session.h"
#include "tracker.h"

typedef struct run_args run_args_t;
typedef struct ctl_server ctl_server_t;
struct events;

typedef struct daemon {
	const run_args_t *args;
	uv_loop_t     *loop;
	session_t     *session;
	char           environment[128];
	metrics_t     *metrics;
	alerts_t      *alerts;
	attrib_t      *attrib;        /* who changed it; NULL: not recorded */
	rec_result_t  *last;          /* the last full cycle's, trimmed by
					 rec_result_keep, or that carried
					 over an edit's run (rec_result_carry);
					 NULL after a reload until then */
	rec_result_t  *carry;         /* during an edit's run: the cache it
					 was made from, on the new config */
	tracker_t     *tracker;       /* per address, across cycles */
	aws_stats_t    stats;         /* at the end of the last cycle */
	uv_timer_t     cycle_timer, watchdog_timer, debounce_timer, stop_timer,
		       summary_timer;
	uv_signal_t    sig_hup, sig_term, sig_int;
	uv_fs_event_t *watch[64];
	size_t         nwatch;
	ctl_server_t  *ctl;
	struct lease  *lease;         /* settings.lease; NULL: writes alone */
	int            lease_checked; /* the next cycle's check is done     */
	int            lease_releasing; /* stopping waits for the release */
	unsigned long  cycles;
	size_t         n_managed, n_drifted;
	time_t         last_cycle_wall;
	double         last_cycle_s;
	uint64_t       alerts_dropped_logged;
	char          *topic_arn;     /* the alert topic, last read      */
	char          *topic_setting; /* the alert_topic it was read for */
	char           alert_block[1024]; /* why the last send could not
					    happen; "" after a success  */
	struct events *events;        /* settings.event_queues; NULL: off */
	int            event_run;     /* the running run is an event's   */
	int            incremental;   /* the running cycle is an edit's
					 incremental run (issue 17 item 3) */
	int            quick;         /* the debounce timer is the quick
					 try after a config change       */
	int            running, cycle_pending, reload_pending, ready, stopping,
		       exiting, flushed, config_valid, metrics_in_flight,
		       alert_in_flight, warned_no_topic;
} daemon_t;

/* The string at the dotted path of it's live state (which may be packed:
 * d->last is kept with rec_result_keep), a copy the caller frees; NULL
 * when it is absent, not a string, or memory ran out. */
char *daemon_live_string(const rec_item_t *it, const char *path);
/* Whether address was in a cycle's result since the daemon started. */
int daemon_knows(const daemon_t *d, const char *address);
void daemon_request_cycle(daemon_t *d, const char *address);
void daemon_request_reload(daemon_t *d);
void daemon_flush_metrics(daemon_t *d);
void daemon_maybe_exit(daemon_t *d);
/* The state directory (the journal's); the caller frees. */
char *daemon_state_dir(daemon_t *d);

/* pair.c: the lease (settings.lease); every call is a no-op without one.
 * may_write: 1 without a lease. check: 1 when the apply batch may start
 * now, else 0 and a cycle is requested once the lease was checked. */
int  daemon_lease_open(daemon_t *d, err_t *e);
int  daemon_lease_may_write(const daemon_t *d);
int  daemon_lease_check(daemon_t *d);
void daemon_lease_release(daemon_t *d);   /* then daemon_maybe_exit */
void daemon_lease_close(daemon_t *d);
void daemon_lease_json(const daemon_t *d, cJSON *doc);

/* An incremental run of the n addresses at only (and their dependants)
 * against the last full cycle's result, for event-driven mode; the full
 * cycle's timer keeps running. 0; -EBUSY while a run is going (the caller
 * tries again when it is done: daemon_events_kick); -ENOENT when there is
 * no full result to run against (before the first full cycle, after a
 * reload). */
int daemon_reconcile_only(daemon_t *d, const char *const *only, size_t n);

/* events.c: event-driven mode (settings.event_queues). configure: after
 * start, every full cycle and every reload (queues from the settings,
 * their ARNs and the managed resources from d->last). run_ended: a run's
 * result was processed (the events it was started for are done). kick: the daemon
 * is idle; events waiting start their run. change: who changed address,
 * as the event of the running event run said; NULL when it is not one.
 * close: stopping (the polls are cancelled with the session's client);
 * free: after the loop. */
void daemon_events_configure(daemon_t *d);
void daemon_events_run_ended(daemon_t *d);
void daemon_events_kick(daemon_t *d);
const ct_change_t *daemon_events_change(const daemon_t *d,
					const char *address);
void daemon_events_json(const daemon_t *d, cJSON *doc);
void daemon_events_add_metrics(daemon_t *d, double now);
/* A reload's old session: 1 when event-driven mode holds it (a poll is
 * out on its client) and closes it after its last call; 0: the caller
 * closes it. */
int daemon_events_hold_session(daemon_t *d, session_t *old);
void daemon_events_close(daemon_t *d);
void daemon_events_free(daemon_t *d);

/* The control socket (AF_UNIX, 0600): path NULL means
 * $RUNTIME_DIRECTORY/control.sock, else the state directory's. */
int ctl_server_open(daemon_t *d, const char *path, err_t *e);
void ctl_server_close(daemon_t *d);   /* idempotent */
/* Where `driftd status` and friends look without --socket; the socket's
 * file name in the state or runtime directory; the longest request line. */
char *ctl_default_path(const char *state_dir);
#define CTL_SOCKET_NAME  "control.sock"
#define CTL_REQUEST_MAX  1024

#endif
