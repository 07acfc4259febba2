// SPDX-License-Identifier: GPL-2.0-only
/*
 * A logical unit of the vtl host adapter: its command queue and
 * /dev/vtl/lu-C-T-L, through which its daemon receives the commands
 * (read) and answers them (write). See vtl_uapi.h for the protocol.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_proto.h>

#include "vtl.h"

static void vtl_lu_free(struct kref *kref)
{
	struct vtl_lu *lu = container_of(kref, struct vtl_lu, kref);

	WARN_ON(!list_empty(&lu->queue) || !list_empty(&lu->sent) ||
		!list_empty(&lu->aborts));
	kfree(lu);
	if (atomic_dec_and_test(&vtl.live))
		wake_up_all(&vtl.gone);
}

void vtl_lu_put(struct vtl_lu *lu)
{
	kref_put(&lu->kref, vtl_lu_free);
}

/*
 * The unit at an address with a reference taken, or NULL. Callable in any
 * context: the tables' own reference cannot go away under xa_lock.
 */
struct vtl_lu *vtl_lu_lookup(u32 channel, u32 target, u32 lun)
{
	unsigned long key = vtl_addr_key(channel, target, lun);
	unsigned long flags;
	struct vtl_lu *lu;

	xa_lock_irqsave(&vtl.by_addr, flags);
	lu = xa_load(&vtl.by_addr, key);
	if (lu)
		kref_get(&lu->kref);
	xa_unlock_irqrestore(&vtl.by_addr, flags);
	return lu;
}

/*
 * The first unit whose address key is >= *key, with a reference taken, and
 * *key advanced past it; NULL at the end. For walking every unit without
 * vtl.lock (the error handlers must not take it).
 */
struct vtl_lu *vtl_lu_next(unsigned long *key)
{
	unsigned long flags;
	struct vtl_lu *lu;

	xa_lock_irqsave(&vtl.by_addr, flags);
	lu = xa_find(&vtl.by_addr, key, ULONG_MAX, XA_PRESENT);
	if (lu) {
		kref_get(&lu->kref);
		(*key)++;
	}
	xa_unlock_irqrestore(&vtl.by_addr, flags);
	return lu;
}

static struct vtl_lu *vtl_lu_by_minor(unsigned int minor)
{
	unsigned long flags;
	struct vtl_lu *lu;

	xa_lock_irqsave(&vtl.by_minor, flags);
	lu = xa_load(&vtl.by_minor, minor);
	if (lu)
		kref_get(&lu->kref);
	xa_unlock_irqrestore(&vtl.by_minor, flags);
	return lu;
}

bool vtl_lu_is_attached(struct vtl_lu *lu)
{
	bool attached;

	spin_lock_irq(&lu->lock);
	attached = lu->attached;
	spin_unlock_irq(&lu->lock);
	return attached;
}

static void vtl_lu_scan_work(struct work_struct *work)
{
	struct vtl_lu *lu = container_of(work, struct vtl_lu, scan_work);
	int ret;

	ret = scsi_add_device(vtl.shost, lu->channel, lu->target, lu->lun);
	if (ret)
		pr_warn("scan of %u:%u:%u failed: %d\n",
			lu->channel, lu->target, lu->lun, ret);
	vtl_lu_put(lu);
}

/* Create the unit at an address (vtl.lock held, address free). */
struct vtl_lu *vtl_lu_create(u32 channel, u32 target, u32 lun, u32 type)
{
	unsigned long key = vtl_addr_key(channel, target, lun);
	struct device *dev;
	struct vtl_lu *lu;
	u32 minor;
	int ret;

	lu = kzalloc(sizeof(*lu), GFP_KERNEL);
	if (!lu)
		return ERR_PTR(-ENOMEM);
	kref_init(&lu->kref);
	lu->channel = channel;
	lu->target = target;
	lu->lun = lun;
	lu->type = type;
	INIT_WORK(&lu->scan_work, vtl_lu_scan_work);
	mutex_init(&lu->io_mutex);
	spin_lock_init(&lu->lock);
	INIT_LIST_HEAD(&lu->queue);
	INIT_LIST_HEAD(&lu->sent);
	INIT_LIST_HEAD(&lu->aborts);
	init_waitqueue_head(&lu->wait);
	atomic_inc(&vtl.live);

	ret = xa_alloc(&vtl.by_minor, &minor, lu,
		       XA_LIMIT(0, VTL_MAX_UNITS - 1), GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_put;
	}
	lu->minor = minor;
	ret = xa_insert_irq(&vtl.by_addr, key, lu, GFP_KERNEL);
	if (ret)
		goto err_minor;
	dev = device_create(vtl.class, vtl.root,
			    MKDEV(MAJOR(vtl.devt), minor), lu,
			    "lu-%u-%u-%u", channel, target, lun);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto err_addr;
	}
	vtl.units++;
	return lu;

err_addr:
	xa_erase_irq(&vtl.by_addr, key);
err_minor:
	xa_erase_irq(&vtl.by_minor, minor);
err_put:
	vtl_lu_put(lu);
	return ERR_PTR(ret);
}

/*
 * Take every command the unit holds onto @out (marked idle) and drop the
 * pending messages. lu->lock held.
 */
static void vtl_lu_take_all(struct vtl_lu *lu, struct list_head *out)
{
	struct vtl_abort *ab, *next_ab;
	struct vtl_cmd *vc;

	list_for_each_entry(vc, &lu->queue, node)
		vc->state = VTL_CMD_IDLE;
	list_for_each_entry(vc, &lu->sent, node)
		vc->state = VTL_CMD_IDLE;
	list_splice_tail_init(&lu->queue, out);
	list_splice_tail_init(&lu->sent, out);
	list_for_each_entry_safe(ab, next_ab, &lu->aborts, node) {
		list_del(&ab->node);
		kfree(ab);
	}
	lu->lu_reset = false;
	lu->bus_reset = false;
}

/* Complete every command on @list with host byte @host_byte. */
static void vtl_complete_all(struct list_head *list, int host_byte)
{
	struct vtl_cmd *vc, *next;
	struct scsi_cmnd *scmd;

	list_for_each_entry_safe(vc, next, list, node) {
		scmd = vc->scmd;
		list_del_init(&vc->node);
		scmd->result = 0;
		set_host_byte(scmd, host_byte);
		scsi_set_resid(scmd, scsi_bufflen(scmd));
		scsi_done(scmd);
	}
}

/* Drop the commands on @list without completing them (the midlayer's). */
static void vtl_forget_all(struct list_head *list)
{
	struct vtl_cmd *vc, *next;

	list_for_each_entry_safe(vc, next, list, node)
		list_del_init(&vc->node);
}

/*
 * Remove a unit (vtl.lock held): from the tables, then fail what it holds,
 * then stop its scan, take it out of the midlayer and delete its node. An
 * opener keeps its reference and gets ENODEV from then on.
 */
void vtl_lu_remove(struct vtl_lu *lu)
{
	struct scsi_device *sdev;
	LIST_HEAD(done);

	xa_erase_irq(&vtl.by_minor, lu->minor);
	xa_erase_irq(&vtl.by_addr,
		     vtl_addr_key(lu->channel, lu->target, lu->lun));
	vtl.units--;

	mutex_lock(&lu->io_mutex);
	spin_lock_irq(&lu->lock);
	lu->removed = true;
	vtl_lu_take_all(lu, &done);
	spin_unlock_irq(&lu->lock);
	vtl_complete_all(&done, DID_NO_CONNECT);
	mutex_unlock(&lu->io_mutex);
	wake_up_interruptible_all(&lu->wait);

	if (cancel_work_sync(&lu->scan_work))
		vtl_lu_put(lu);
	sdev = scsi_device_lookup(vtl.shost, lu->channel, lu->target, lu->lun);
	if (sdev) {
		scsi_remove_device(sdev);
		scsi_device_put(sdev);
	}
	device_destroy(vtl.class, MKDEV(MAJOR(vtl.devt), lu->minor));
	vtl_lu_put(lu);
}

/* Called by queuecommand, in atomic context. */
void vtl_lu_queuecommand(struct vtl_lu *lu, struct scsi_cmnd *scmd)
{
	struct vtl_cmd *vc = scsi_cmd_priv(scmd);
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&lu->lock, flags);
	if (lu->removed) {
		set_host_byte(scmd, DID_NO_CONNECT);
	} else if (!lu->attached) {
		/* 02/04/03 LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED */
		scsi_build_sense(scmd, 0, NOT_READY, 0x04, 0x03);
	} else {
		vc->scmd = scmd;
		vc->tag = ++lu->next_tag;
		vc->state = VTL_CMD_QUEUED;
		list_add_tail(&vc->node, &lu->queue);
		queued = true;
	}
	spin_unlock_irqrestore(&lu->lock, flags);

	if (queued) {
		wake_up_interruptible(&lu->wait);
	} else {
		scsi_set_resid(scmd, scsi_bufflen(scmd));
		scsi_done(scmd);
	}
}

/*
 * The midlayer aborts @scmd and owns it from now on: forget it. A command
 * the daemon has read is announced with VTL_MSG_ABORT; one it has not seen
 * just leaves the queue.
 */
void vtl_lu_abort(struct vtl_lu *lu, struct scsi_cmnd *scmd)
{
	struct vtl_abort *ab = kzalloc(sizeof(*ab), GFP_NOIO);
	struct vtl_cmd *vc = scsi_cmd_priv(scmd);
	bool wake = false;

	mutex_lock(&lu->io_mutex);
	spin_lock_irq(&lu->lock);
	if (vc->state == VTL_CMD_QUEUED) {
		list_del_init(&vc->node);
		vc->state = VTL_CMD_IDLE;
	} else if (vc->state == VTL_CMD_SENT) {
		list_del_init(&vc->node);
		vc->state = VTL_CMD_IDLE;
		if (ab) {
			ab->tag = vc->tag;
			list_add_tail(&ab->node, &lu->aborts);
			ab = NULL;
			wake = true;
		}
	}
	spin_unlock_irq(&lu->lock);
	mutex_unlock(&lu->io_mutex);
	kfree(ab);
	if (wake)
		wake_up_interruptible(&lu->wait);
}

/*
 * A reset (VTL_MSG_LU_RESET or VTL_MSG_BUS_RESET) reached the unit: every
 * command it holds is gone. In error handling (@eh_owned) the midlayer owns
 * them and they are only forgotten; a reset from an ioctl (SG_SCSI_RESET)
 * while commands run completes them with DID_RESET.
 */
void vtl_lu_reset(struct vtl_lu *lu, u16 kind, bool eh_owned)
{
	LIST_HEAD(taken);

	mutex_lock(&lu->io_mutex);
	spin_lock_irq(&lu->lock);
	if (lu->attached && !lu->removed) {
		vtl_lu_take_all(lu, &taken);
		if (kind == VTL_MSG_BUS_RESET)
			lu->bus_reset = true;
		else
			lu->lu_reset = true;
	}
	spin_unlock_irq(&lu->lock);
	if (eh_owned)
		vtl_forget_all(&taken);
	else
		vtl_complete_all(&taken, DID_RESET);
	mutex_unlock(&lu->io_mutex);
	wake_up_interruptible(&lu->wait);
}

static int vtl_lu_open(struct inode *inode, struct file *file)
{
	struct vtl_lu *lu;
	int ret = 0;

	/* The daemon reads commands and writes replies: nothing else. */
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EINVAL;
	lu = vtl_lu_by_minor(iminor(inode));
	if (!lu)
		return -ENODEV;
	spin_lock_irq(&lu->lock);
	if (lu->removed)
		ret = -ENODEV;
	else if (lu->attached)
		ret = -EBUSY;
	else
		lu->attached = true;
	spin_unlock_irq(&lu->lock);
	if (ret) {
		vtl_lu_put(lu);
		return ret;
	}
	file->private_data = lu;
	return stream_open(inode, file);
}

/* The daemon closed the device or died: fail what it held. */
static int vtl_lu_release(struct inode *inode, struct file *file)
{
	struct vtl_lu *lu = file->private_data;
	LIST_HEAD(done);

	mutex_lock(&lu->io_mutex);
	spin_lock_irq(&lu->lock);
	lu->attached = false;
	vtl_lu_take_all(lu, &done);
	spin_unlock_irq(&lu->lock);
	vtl_complete_all(&done, DID_NO_CONNECT);
	mutex_unlock(&lu->io_mutex);
	vtl_lu_put(lu);
	return 0;
}

/* Something for read(): a message or the unit's removal. lu->lock held. */
static bool vtl_lu_readable_locked(struct vtl_lu *lu)
{
	return lu->removed || lu->bus_reset || lu->lu_reset ||
	       !list_empty(&lu->aborts) || !list_empty(&lu->queue);
}

static bool vtl_lu_readable(struct vtl_lu *lu)
{
	bool ret;

	spin_lock_irq(&lu->lock);
	ret = vtl_lu_readable_locked(lu);
	spin_unlock_irq(&lu->lock);
	return ret;
}

static u8 vtl_direction(struct scsi_cmnd *scmd)
{
	switch (scmd->sc_data_direction) {
	case DMA_TO_DEVICE:
		return VTL_DIR_TO_DEVICE;
	case DMA_FROM_DEVICE:
		return VTL_DIR_FROM_DEVICE;
	default:
		return VTL_DIR_NONE;
	}
}

/*
 * Fill @msg with the next message without dequeuing it; *vcp is the command
 * for VTL_MSG_COMMAND. Returns 1 with a message, 0 with none, -ENODEV when
 * the unit is gone. io_mutex held: only queuecommand can change the lists
 * meanwhile, and it only appends, so the message stays first until
 * vtl_lu_commit().
 */
static int vtl_lu_peek(struct vtl_lu *lu, struct vtl_msg *msg,
		       struct vtl_cmd **vcp)
{
	struct scsi_cmnd *scmd;
	struct vtl_abort *ab;
	struct vtl_cmd *vc;
	int ret = 1;

	memset(msg, 0, sizeof(*msg));
	msg->magic = VTL_MSG_MAGIC;
	msg->version = VTL_UAPI_VERSION;
	msg->nexus = vtl.shost->host_no;
	*vcp = NULL;

	spin_lock_irq(&lu->lock);
	if (lu->removed) {
		ret = -ENODEV;
	} else if (lu->bus_reset) {
		msg->kind = VTL_MSG_BUS_RESET;
	} else if (lu->lu_reset) {
		msg->kind = VTL_MSG_LU_RESET;
	} else if (!list_empty(&lu->aborts)) {
		ab = list_first_entry(&lu->aborts, struct vtl_abort, node);
		msg->kind = VTL_MSG_ABORT;
		msg->tag = ab->tag;
	} else if (!list_empty(&lu->queue)) {
		vc = list_first_entry(&lu->queue, struct vtl_cmd, node);
		scmd = vc->scmd;
		msg->kind = VTL_MSG_COMMAND;
		msg->tag = vc->tag;
		msg->cdb_len = scmd->cmd_len;
		memcpy(msg->cdb, scmd->cmnd, scmd->cmd_len);
		msg->direction = vtl_direction(scmd);
		msg->data_len = scsi_bufflen(scmd);
		*vcp = vc;
	} else {
		ret = 0;
	}
	spin_unlock_irq(&lu->lock);
	return ret;
}

/* Dequeue the message vtl_lu_peek() returned. io_mutex held. */
static void vtl_lu_commit(struct vtl_lu *lu, const struct vtl_msg *msg,
			  struct vtl_cmd *vc)
{
	struct vtl_abort *ab = NULL;

	spin_lock_irq(&lu->lock);
	switch (msg->kind) {
	case VTL_MSG_BUS_RESET:
		lu->bus_reset = false;
		break;
	case VTL_MSG_LU_RESET:
		lu->lu_reset = false;
		break;
	case VTL_MSG_ABORT:
		ab = list_first_entry(&lu->aborts, struct vtl_abort, node);
		list_del(&ab->node);
		break;
	case VTL_MSG_COMMAND:
		vc->state = VTL_CMD_SENT;
		list_move_tail(&vc->node, &lu->sent);
		break;
	}
	spin_unlock_irq(&lu->lock);
	kfree(ab);
}

/* Copy @len bytes of the command's data-out to @to. */
static int vtl_copy_data_out(struct scsi_cmnd *scmd, size_t len,
			     struct iov_iter *to)
{
	struct sg_mapping_iter miter;
	size_t done = 0, n;

	sg_miter_start(&miter, scsi_sglist(scmd), scsi_sg_count(scmd),
		       SG_MITER_FROM_SG);
	while (done < len && sg_miter_next(&miter)) {
		n = min(miter.length, len - done);
		if (copy_to_iter(miter.addr, n, to) != n) {
			sg_miter_stop(&miter);
			return -EFAULT;
		}
		done += n;
	}
	sg_miter_stop(&miter);
	/* A scatterlist shorter than the transfer length: send zeroes. */
	if (done < len && iov_iter_zero(len - done, to) != len - done)
		return -EFAULT;
	return 0;
}

/* Copy @len bytes of data-in from @from into the command's buffer. */
static int vtl_copy_data_in(struct scsi_cmnd *scmd, size_t len,
			    struct iov_iter *from)
{
	struct sg_mapping_iter miter;
	size_t done = 0, n;

	sg_miter_start(&miter, scsi_sglist(scmd), scsi_sg_count(scmd),
		       SG_MITER_TO_SG);
	while (done < len && sg_miter_next(&miter)) {
		n = min(miter.length, len - done);
		if (copy_from_iter(miter.addr, n, from) != n) {
			sg_miter_stop(&miter);
			return -EFAULT;
		}
		done += n;
	}
	sg_miter_stop(&miter);
	return done == len ? 0 : -EINVAL;
}

static ssize_t vtl_lu_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct vtl_lu *lu = file->private_data;
	struct vtl_cmd *vc;
	struct vtl_msg msg;
	ssize_t ret;

	if (iov_iter_count(to) < sizeof(msg) + VTL_MAX_XFER)
		return -EINVAL;
	for (;;) {
		if (mutex_lock_interruptible(&lu->io_mutex))
			return -ERESTARTSYS;
		ret = vtl_lu_peek(lu, &msg, &vc);
		if (ret)
			break;
		mutex_unlock(&lu->io_mutex);
		if ((file->f_flags & O_NONBLOCK) ||
		    (iocb->ki_flags & IOCB_NOWAIT))
			return -EAGAIN;
		if (wait_event_interruptible(lu->wait, vtl_lu_readable(lu)))
			return -ERESTARTSYS;
	}
	if (ret < 0)
		goto out;

	ret = -EFAULT;
	if (copy_to_iter(&msg, sizeof(msg), to) != sizeof(msg))
		goto out;
	if (msg.kind == VTL_MSG_COMMAND &&
	    msg.direction == VTL_DIR_TO_DEVICE &&
	    vtl_copy_data_out(vc->scmd, msg.data_len, to))
		goto out;
	vtl_lu_commit(lu, &msg, vc);
	ret = sizeof(msg);
	if (msg.kind == VTL_MSG_COMMAND && msg.direction == VTL_DIR_TO_DEVICE)
		ret += msg.data_len;
out:
	mutex_unlock(&lu->io_mutex);
	return ret;
}

static bool vtl_status_valid(u8 status)
{
	switch (status) {
	case SAM_STAT_GOOD:
	case SAM_STAT_CHECK_CONDITION:
	case SAM_STAT_CONDITION_MET:
	case SAM_STAT_BUSY:
	case SAM_STAT_INTERMEDIATE:
	case SAM_STAT_INTERMEDIATE_CONDITION_MET:
	case SAM_STAT_RESERVATION_CONFLICT:
	case SAM_STAT_COMMAND_TERMINATED:
	case SAM_STAT_TASK_SET_FULL:
	case SAM_STAT_ACA_ACTIVE:
	case SAM_STAT_TASK_ABORTED:
		return true;
	default:
		return false;
	}
}

/* The sent command with @tag, or NULL. lu->lock held. */
static struct vtl_cmd *vtl_lu_find_sent(struct vtl_lu *lu, u64 tag)
{
	struct vtl_cmd *vc;

	list_for_each_entry(vc, &lu->sent, node)
		if (vc->tag == tag)
			return vc;
	return NULL;
}

static ssize_t vtl_lu_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vtl_lu *lu = iocb->ki_filp->private_data;
	size_t len = iov_iter_count(from);
	struct scsi_cmnd *scmd = NULL;
	struct vtl_reply r;
	struct vtl_cmd *vc;
	ssize_t ret = 0;

	if (len < sizeof(r))
		return -EINVAL;
	if (!copy_from_iter_full(&r, sizeof(r), from))
		return -EFAULT;
	if (r.magic != VTL_REPLY_MAGIC || r.version != VTL_UAPI_VERSION ||
	    r.reserved || r.sense_len > VTL_SENSE_MAX ||
	    r.data_len > VTL_MAX_XFER || len - sizeof(r) != r.data_len ||
	    !vtl_status_valid(r.status))
		return -EINVAL;

	if (mutex_lock_interruptible(&lu->io_mutex))
		return -ERESTARTSYS;
	spin_lock_irq(&lu->lock);
	vc = vtl_lu_find_sent(lu, r.tag);
	if (lu->removed)
		ret = -ENODEV;
	else if (!vc)
		ret = -ENOENT;
	else if (r.data_len &&
		 (vc->scmd->sc_data_direction != DMA_FROM_DEVICE ||
		  r.data_len > scsi_bufflen(vc->scmd)))
		ret = -EINVAL;
	else
		scmd = vc->scmd;
	spin_unlock_irq(&lu->lock);
	if (ret)
		goto out;

	/*
	 * The command stays on the sent list while its data is copied: a
	 * fault leaves it there for another reply. Only io_mutex holders
	 * take commands off that list, so it cannot go away meanwhile.
	 */
	ret = vtl_copy_data_in(scmd, r.data_len, from);
	if (ret)
		goto out;

	spin_lock_irq(&lu->lock);
	list_del_init(&vc->node);
	vc->state = VTL_CMD_IDLE;
	spin_unlock_irq(&lu->lock);

	scmd->result = r.status;
	memset(scmd->sense_buffer, 0, SCSI_SENSE_BUFFERSIZE);
	memcpy(scmd->sense_buffer, r.sense,
	       min_t(size_t, r.sense_len, SCSI_SENSE_BUFFERSIZE));
	if (scmd->sc_data_direction == DMA_FROM_DEVICE)
		scsi_set_resid(scmd, scsi_bufflen(scmd) - r.data_len);
	else
		scsi_set_resid(scmd, 0);
	scsi_done(scmd);
	ret = len;
out:
	mutex_unlock(&lu->io_mutex);
	return ret;
}

static __poll_t vtl_lu_poll(struct file *file, poll_table *wait)
{
	struct vtl_lu *lu = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &lu->wait, wait);
	spin_lock_irq(&lu->lock);
	if (lu->removed)
		mask |= EPOLLERR | EPOLLHUP;
	if (vtl_lu_readable_locked(lu))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&lu->lock);
	return mask;
}

static long vtl_lu_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct vtl_lu *lu = file->private_data;
	bool queued = false;
	int ret = 0;

	if (cmd != VTL_IOC_SCAN)
		return -ENOTTY;
	if (arg)
		return -EINVAL;
	spin_lock_irq(&lu->lock);
	if (lu->removed) {
		ret = -ENODEV;
	} else {
		/* The work item holds a reference until it has run. */
		kref_get(&lu->kref);
		queued = queue_work(vtl.wq, &lu->scan_work);
	}
	spin_unlock_irq(&lu->lock);
	if (!ret && !queued)
		vtl_lu_put(lu);	/* already queued: not the last reference */
	return ret;
}

const struct file_operations vtl_lu_fops = {
	.owner = THIS_MODULE,
	.open = vtl_lu_open,
	.release = vtl_lu_release,
	.read_iter = vtl_lu_read_iter,
	.write_iter = vtl_lu_write_iter,
	.poll = vtl_lu_poll,
	.unlocked_ioctl = vtl_lu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
