/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The interface between the vtl pseudo host adapter (vtl.ko) and the
 * user-space daemons (vtltape, vtllibrary) that implement its logical units.
 *
 * The Rust side mirrors every constant and structure here (crate vtl-kernel, module
 * uapi.rs); a test checks the two agree. Change VTL_UAPI_VERSION whenever a layout or a
 * meaning changes.
 *
 * Devices
 *   /dev/vtl/control   one misc device: add, remove and query logical units (ioctls below).
 *   /dev/vtl/lu-C-T-L  one character device per logical unit (channel C, target T, LUN L,
 *                      decimal), created by VTL_IOC_ADD_LU. Its daemon opens it O_RDWR
 *                      (EINVAL otherwise; one opener at a time: a second open gets
 *                      EBUSY) and then:
 *                        read()  blocks until a message is queued (O_NONBLOCK: EAGAIN;
 *                                poll()/select() report POLLIN), then returns one
 *                                struct vtl_msg followed, for VTL_MSG_COMMAND with data-out,
 *                                by the data-out bytes. The buffer must hold
 *                                sizeof(struct vtl_msg) + VTL_MAX_XFER bytes (EINVAL
 *                                otherwise, nothing dequeued).
 *                        write() returns one struct vtl_reply followed by reply.data_len
 *                                data-in bytes; the write length must be exactly
 *                                sizeof(struct vtl_reply) + data_len. The command is
 *                                completed to the SCSI midlayer with the status, the sense
 *                                and the residual (data-in: transfer length - data_len;
 *                                data-out and no data: 0). ENOENT when no command with
 *                                that tag is outstanding (answered, aborted, reset),
 *                                EINVAL for a malformed reply (nothing completed).
 *                        ioctl VTL_IOC_SCAN  make the logical unit visible to the kernel
 *                                (scsi_add_device, done asynchronously so that the daemon
 *                                can answer the scan's INQUIRY).
 *   Any number of commands may be outstanding; replies may come in any order (by tag).
 *   When the opener closes the device (or dies), every command queued or outstanding is
 *   completed with DID_NO_CONNECT, and every command until the next open is completed with
 *   CHECK CONDITION, NOT READY, LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED
 *   (02/04/03); the logical unit stays (same /dev/nstN) for a restarted daemon.
 *
 * All integers are in the host's byte order. Structures have explicit padding and the
 * same layout on every 64-bit and 32-bit ABI.
 */
#ifndef _UAPI_VTL_H
#define _UAPI_VTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VTL_UAPI_VERSION	1

/* Largest data transfer of one command, in bytes (8 MiB: the largest LTO block). */
#define VTL_MAX_XFER		(8U << 20)
/* Largest CDB, in bytes. */
#define VTL_CDB_MAX		32
/* Largest sense data, in bytes (SCSI_SENSE_BUFFERSIZE). */
#define VTL_SENSE_MAX		96
/* Limits of a logical unit's address. */
#define VTL_MAX_CHANNEL		15
#define VTL_MAX_TARGET		255
#define VTL_MAX_LUN		255

/* Peripheral device types a logical unit may have (SPC-5 table 51). */
#define VTL_TYPE_TAPE		0x01
#define VTL_TYPE_CHANGER	0x08

/* struct vtl_msg.magic and struct vtl_reply.magic */
#define VTL_MSG_MAGIC		0x4d4c5456	/* "VTLM" little-endian */
#define VTL_REPLY_MAGIC		0x524c5456	/* "VTLR" little-endian */

/* struct vtl_msg.kind */
#define VTL_MSG_COMMAND		1	/* a SCSI command: answer it with a vtl_reply */
#define VTL_MSG_ABORT		2	/* the midlayer aborted command `tag`: do not reply */
#define VTL_MSG_LU_RESET	3	/* LOGICAL UNIT RESET: outstanding commands are gone */
#define VTL_MSG_BUS_RESET	4	/* host or bus reset: outstanding commands are gone */

/* struct vtl_msg.direction */
#define VTL_DIR_NONE		0
#define VTL_DIR_TO_DEVICE	1	/* data-out: data_len bytes follow the message */
#define VTL_DIR_FROM_DEVICE	2	/* data-in: the initiator's buffer is data_len bytes */

/* One message from the module to the daemon (64 bytes), returned by read(). */
struct vtl_msg {
	__u32 magic;		/* VTL_MSG_MAGIC */
	__u16 version;		/* VTL_UAPI_VERSION */
	__u16 kind;		/* VTL_MSG_* */
	__u64 tag;		/* command identifier, unique among outstanding commands */
	__u8  cdb[VTL_CDB_MAX];	/* CDB bytes, cdb_len of them valid, the rest zero */
	__u16 cdb_len;		/* bytes */
	__u8  direction;	/* VTL_DIR_* */
	__u8  task_attr;	/* SAM task attribute: 0 simple, 1 head of queue, 2 ordered */
	__u32 data_len;		/* bytes: data-out that follow, or the data-in buffer size */
	__u64 nexus;		/* I_T nexus: the SCSI host number of the initiator side */
};

/* One reply from the daemon to the module (120 bytes + data), given to write(). */
struct vtl_reply {
	__u32 magic;		/* VTL_REPLY_MAGIC */
	__u16 version;		/* VTL_UAPI_VERSION */
	__u8  status;		/* SAM status: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, ... */
	__u8  sense_len;	/* bytes of sense valid, at most VTL_SENSE_MAX */
	__u64 tag;		/* the vtl_msg.tag being answered */
	__u32 data_len;		/* data-in bytes following, at most the command's data_len */
	__u32 reserved;		/* zero */
	__u8  sense[VTL_SENSE_MAX];
};

/*
 * VTL_IOC_ADD_LU on /dev/vtl/control: create a logical unit, or find the one already at
 * that address with no daemon attached (a restarted daemon). EBUSY when a daemon has it
 * open or its type differs; EINVAL for an address out of range, a bad version or type or
 * a nonzero reserved field; ENOSPC when the module holds its maximum of units (1024).
 */
struct vtl_add_lu {
	__u32 version;		/* in: VTL_UAPI_VERSION */
	__u32 channel;		/* in */
	__u32 target;		/* in */
	__u32 lun;		/* in */
	__u32 type;		/* in: VTL_TYPE_* */
	__u32 host;		/* out: SCSI host number (the H of H:C:T:L) */
	__u32 flags;		/* out: VTL_LU_EXISTED when an existing unit was found */
	__u32 reserved;		/* zero */
	char  devname[32];	/* out: NUL-terminated node name under /dev, "vtl/lu-C-T-L" */
};

#define VTL_LU_EXISTED		0x1

/*
 * VTL_IOC_REMOVE_LU on /dev/vtl/control: remove the logical unit from the SCSI midlayer
 * and delete its character device (an opener keeps a dead handle: read/write get ENODEV).
 * ENOENT when there is no unit at that address.
 */
struct vtl_lu_addr {
	__u32 version;		/* in: VTL_UAPI_VERSION */
	__u32 channel;
	__u32 target;
	__u32 lun;
};

/* VTL_IOC_INFO on /dev/vtl/control: what the module is. */
struct vtl_info {
	__u32 version;		/* out: VTL_UAPI_VERSION of the module */
	__u32 host;		/* out: SCSI host number */
	__u32 max_xfer;		/* out: VTL_MAX_XFER */
	__u32 units;		/* out: logical units present */
};

#define VTL_IOC_MAGIC		'V'
#define VTL_IOC_ADD_LU		_IOWR(VTL_IOC_MAGIC, 1, struct vtl_add_lu)
#define VTL_IOC_REMOVE_LU	_IOW(VTL_IOC_MAGIC, 2, struct vtl_lu_addr)
#define VTL_IOC_INFO		_IOR(VTL_IOC_MAGIC, 3, struct vtl_info)
#define VTL_IOC_SCAN		_IO(VTL_IOC_MAGIC, 4)

#endif /* _UAPI_VTL_H */
