/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal declarations of the vtl pseudo host adapter.
 *
 * The module has four parts:
 *   vtl_main.c     module init/exit, the device class and character device
 *                  region of the logical units;
 *   vtl_host.c     the Scsi_Host: queuecommand and the error handlers;
 *   vtl_lu.c       a logical unit: its command queue and the character
 *                  device its daemon reads commands from and writes
 *                  replies to;
 *   vtl_control.c  /dev/vtl/control: add, remove and query logical units.
 */
#ifndef _VTL_H
#define _VTL_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <scsi/scsi_host.h>

#include "vtl_uapi.h"

/* Logical units the module can hold at once (minor numbers). */
#define VTL_MAX_UNITS		1024

struct scsi_cmnd;
struct device;
struct class;

/* Where a command is, as far as the module is concerned. */
enum vtl_cmd_state {
	VTL_CMD_IDLE,		/* not held: completed, forgotten or never queued */
	VTL_CMD_QUEUED,		/* on vtl_lu.queue, not yet read by the daemon */
	VTL_CMD_SENT,		/* on vtl_lu.sent, waiting for the daemon's reply */
};

/*
 * Per-command state, in the private area the midlayer allocates after each
 * struct scsi_cmnd (scsi_host_template.cmd_size). Protected by vtl_lu.lock.
 */
struct vtl_cmd {
	struct list_head node;
	struct scsi_cmnd *scmd;
	u64 tag;
	enum vtl_cmd_state state;
};

/* A VTL_MSG_ABORT waiting to be read. */
struct vtl_abort {
	struct list_head node;
	u64 tag;
};

/*
 * One logical unit. Lifetime: a kref held by the unit tables (dropped when
 * the unit is removed), by the opener's struct file, by the scsi_device
 * whose hostdata it is, and by a queued scan work item.
 *
 * Locking: io_mutex serialises every path that takes a command out of the
 * lists or copies its data (read, write, release, removal, error handlers),
 * so a command being copied cannot be completed or forgotten under the
 * copy. lock (a spinlock, taken with interrupts off) protects the lists and
 * flags; queuecommand takes only lock. Order: io_mutex, then lock.
 */
struct vtl_lu {
	struct kref kref;
	u32 channel;
	u32 target;
	u32 lun;
	u32 type;		/* VTL_TYPE_* */
	unsigned int minor;
	struct work_struct scan_work;

	struct mutex io_mutex;	/* see Locking above */
	spinlock_t lock;	/* see Locking above */
	bool attached;		/* a daemon has the character device open */
	bool removed;		/* VTL_IOC_REMOVE_LU or module unload */
	bool lu_reset;		/* a VTL_MSG_LU_RESET is to be read */
	bool bus_reset;		/* a VTL_MSG_BUS_RESET is to be read */
	u64 next_tag;
	struct list_head queue;	/* struct vtl_cmd, VTL_CMD_QUEUED, FIFO */
	struct list_head sent;	/* struct vtl_cmd, VTL_CMD_SENT */
	struct list_head aborts;	/* struct vtl_abort */
	wait_queue_head_t wait;	/* the daemon waits here for messages */
};

/* Module-wide state (vtl_main.c). */
struct vtl_state {
	struct device *root;
	struct Scsi_Host *shost;
	struct class *class;
	dev_t devt;
	struct cdev cdev;
	struct workqueue_struct *wq;
	struct mutex lock;	/* serialises adding and removing units */
	struct xarray by_addr;	/* vtl_lu by vtl_addr_key(); holds a kref */
	struct xarray by_minor;	/* vtl_lu by minor; same lifetime as above */
	unsigned int units;	/* entries in by_addr; under lock */
	atomic_t live;		/* vtl_lu structures not yet freed */
	wait_queue_head_t gone;	/* woken when live drops to zero */
};

extern struct vtl_state vtl;

static inline unsigned long vtl_addr_key(u32 channel, u32 target, u32 lun)
{
	return ((unsigned long)channel << 16) | (target << 8) | lun;
}

static inline bool vtl_addr_valid(u32 channel, u32 target, u64 lun)
{
	return channel <= VTL_MAX_CHANNEL && target <= VTL_MAX_TARGET &&
	       lun <= VTL_MAX_LUN;
}

/* vtl_lu.c */
extern const struct file_operations vtl_lu_fops;
struct vtl_lu *vtl_lu_create(u32 channel, u32 target, u32 lun, u32 type);
void vtl_lu_remove(struct vtl_lu *lu);
struct vtl_lu *vtl_lu_lookup(u32 channel, u32 target, u32 lun);
struct vtl_lu *vtl_lu_next(unsigned long *key);
void vtl_lu_put(struct vtl_lu *lu);
bool vtl_lu_is_attached(struct vtl_lu *lu);
void vtl_lu_queuecommand(struct vtl_lu *lu, struct scsi_cmnd *scmd);
void vtl_lu_abort(struct vtl_lu *lu, struct scsi_cmnd *scmd);
void vtl_lu_reset(struct vtl_lu *lu, u16 kind, bool eh_owned);

/* vtl_host.c */
int vtl_host_create(struct device *parent);
void vtl_host_destroy(void);

/* vtl_control.c */
int vtl_control_register(void);
void vtl_control_deregister(void);

#endif /* _VTL_H */
