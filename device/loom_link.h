/* SPDX-License-Identifier: MIT */
/*
 * The device link, both ends (protocol: hw/loom_link.h).
 *
 * Server side (device/loom_link.c): one loom_link_server per device, one
 * session per attached driver. It is transport-agnostic: loomd feeds it
 * messages read from a Unix socket; the in-process device calls it
 * directly. It owns the channel/ASID/queue assignment, the DRAM allocator
 * and the registry of exported DRAM ranges.
 *
 * Client side (device/loom_link_client.c): what a userspace driver calls.
 * loom_link_open("inproc") creates a private device in this process;
 * loom_link_open("unix:/path") connects to loomd.
 */
#ifndef LOOM_LINK_H
#define LOOM_LINK_H

#include <stdint.h>

#include "../hw/loom_link.h"
#include "loom_device.h"

struct loom_link_server;
struct loom_link_session;

int loom_link_server_create(struct loom_dev *dev, struct loom_link_server **out);
/* Closes every session still open. */
void loom_link_server_destroy(struct loom_link_server *srv);
struct loom_dev *loom_link_server_dev(struct loom_link_server *srv);
/* NULL with errno (EBUSY: every channel or ASID is taken). */
struct loom_link_session *loom_link_session_open(struct loom_link_server *srv);
/* The process on the other end of s (SO_PEERCRED; LOOM_LINK_SESSION reports it). */
void loom_link_session_set_pid(struct loom_link_session *s, uint32_t pid);
/* The driver is gone: reset its queues, free its resources. */
void loom_link_session_close(struct loom_link_session *s);
/*
 * Handle one request. The caller keeps ownership of fds_in (the server
 * dups what it keeps); fds_out receives new descriptors the caller owns
 * (at most LOOM_LINK_MAX_FDS). resp->status is 0 or a negative errno;
 * the return value is the same.
 */
int loom_link_handle(struct loom_link_session *s, const struct loom_link_msg *req,
		     const int *fds_in, unsigned nfds_in, struct loom_link_msg *resp,
		     int *fds_out, unsigned *nfds_out);

/* ---- client ---------------------------------------------------------------- */
struct loom_link;

/*
 * uri: "inproc" (a new device in this process, configured by cfg, which may
 * be NULL), "unix:PATH" or a path to a loomd socket. NULL with errno.
 */
struct loom_link *loom_link_open(const char *uri, const struct loom_dev_config *cfg);
void loom_link_close(struct loom_link *l);
/*
 * Send msg (type, arg set by the caller; seq filled in) with fds_in; on
 * return msg holds the reply. Returns the reply's status, or a negative
 * errno if the link failed (-ECONNRESET: the device went away).
 * Thread-safe.
 */
int loom_link_call(struct loom_link *l, struct loom_link_msg *msg, const int *fds_in,
		   unsigned nfds_in, int *fds_out, unsigned *nfds_out);
/* The in-process device, or NULL for a remote one (for tests and tools). */
struct loom_dev *loom_link_local_dev(struct loom_link *l);
/*
 * The socket of a remote link, or -1 (in-process). A driver may poll it
 * with no events requested to learn that the device went away (POLLHUP);
 * it must not read from it.
 */
int loom_link_fd(struct loom_link *l);

#endif /* LOOM_LINK_H */
