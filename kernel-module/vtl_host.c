// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pseudo SCSI host adapter: queuecommand hands each command
 * to its logical unit's daemon; the error handlers forget what the midlayer
 * takes back and tell the daemons.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_proto.h>

#include "vtl.h"

/*
 * Enough scatterlist entries for VTL_MAX_XFER bytes in single pages (2048
 * with 4 KiB pages, more than SG_ALL: SG_IO buffers need not be contiguous).
 */
#define VTL_SG_TABLESIZE	(VTL_MAX_XFER / PAGE_SIZE)

static int vtl_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *scmd)
{
	struct vtl_lu *lu = scmd->device->hostdata;
	struct vtl_cmd *vc = scsi_cmd_priv(scmd);

	vc->state = VTL_CMD_IDLE;
	scmd->result = 0;
	if (!lu) {
		/* An address with no unit (a user's rescan). */
		set_host_byte(scmd, DID_BAD_TARGET);
		scsi_set_resid(scmd, scsi_bufflen(scmd));
		scsi_done(scmd);
		return 0;
	}
	if (scmd->cmd_len > VTL_CDB_MAX || scsi_bufflen(scmd) > VTL_MAX_XFER ||
	    scmd->sc_data_direction == DMA_BIDIRECTIONAL) {
		/* 05/24/00 INVALID FIELD IN CDB */
		scsi_build_sense(scmd, 0, ILLEGAL_REQUEST, 0x24, 0x00);
		scsi_set_resid(scmd, scsi_bufflen(scmd));
		scsi_done(scmd);
		return 0;
	}
	vtl_lu_queuecommand(lu, scmd);
	return 0;
}

static int vtl_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *scmd)
{
	struct vtl_cmd *vc = scsi_cmd_priv(scmd);

	INIT_LIST_HEAD(&vc->node);
	vc->scmd = scmd;
	vc->state = VTL_CMD_IDLE;
	return 0;
}

static int vtl_slave_alloc(struct scsi_device *sdev)
{
	/* NULL for an address with no unit: its commands fail at once. */
	if (vtl_addr_valid(sdev->channel, sdev->id, sdev->lun))
		sdev->hostdata = vtl_lu_lookup(sdev->channel, sdev->id,
					       sdev->lun);
	return 0;
}

static void vtl_slave_destroy(struct scsi_device *sdev)
{
	struct vtl_lu *lu = sdev->hostdata;

	sdev->hostdata = NULL;
	if (lu)
		vtl_lu_put(lu);
}

/*
 * In error recovery every command of the host belongs to the midlayer;
 * a reset from SG_SCSI_RESET runs while other commands proceed.
 */
static bool vtl_eh_owns_commands(struct Scsi_Host *shost)
{
	return shost->shost_state == SHOST_RECOVERY ||
	       shost->shost_state == SHOST_CANCEL_RECOVERY ||
	       shost->shost_state == SHOST_DEL_RECOVERY;
}

static int vtl_eh_abort(struct scsi_cmnd *scmd)
{
	struct vtl_lu *lu = scmd->device->hostdata;

	if (lu)
		vtl_lu_abort(lu, scmd);
	return SUCCESS;
}

static int vtl_eh_device_reset(struct scsi_cmnd *scmd)
{
	struct vtl_lu *lu = scmd->device->hostdata;

	if (lu)
		vtl_lu_reset(lu, VTL_MSG_LU_RESET,
			     vtl_eh_owns_commands(scmd->device->host));
	return SUCCESS;
}

/*
 * Reset every unit matching @channel and @target (-1: any) with message
 * @kind.
 */
static void vtl_reset_units(struct Scsi_Host *shost, int channel, int target,
			    u16 kind)
{
	bool eh_owned = vtl_eh_owns_commands(shost);
	unsigned long key = 0;
	struct vtl_lu *lu;

	while ((lu = vtl_lu_next(&key))) {
		if ((channel < 0 || lu->channel == channel) &&
		    (target < 0 || lu->target == target))
			vtl_lu_reset(lu, kind, eh_owned);
		vtl_lu_put(lu);
	}
}

static int vtl_eh_target_reset(struct scsi_cmnd *scmd)
{
	struct scsi_device *sdev = scmd->device;

	vtl_reset_units(sdev->host, sdev->channel, sdev->id, VTL_MSG_LU_RESET);
	return SUCCESS;
}

static int vtl_eh_bus_reset(struct scsi_cmnd *scmd)
{
	struct scsi_device *sdev = scmd->device;

	vtl_reset_units(sdev->host, sdev->channel, -1, VTL_MSG_BUS_RESET);
	return SUCCESS;
}

static int vtl_eh_host_reset(struct scsi_cmnd *scmd)
{
	vtl_reset_units(scmd->device->host, -1, -1, VTL_MSG_BUS_RESET);
	return SUCCESS;
}

static struct scsi_host_template vtl_template = {
	.module = THIS_MODULE,
	.name = "vtl",
	.proc_name = "vtl",
	.queuecommand = vtl_queuecommand,
	.init_cmd_priv = vtl_init_cmd_priv,
	.slave_alloc = vtl_slave_alloc,
	.slave_destroy = vtl_slave_destroy,
	.eh_abort_handler = vtl_eh_abort,
	.eh_device_reset_handler = vtl_eh_device_reset,
	.eh_target_reset_handler = vtl_eh_target_reset,
	.eh_bus_reset_handler = vtl_eh_bus_reset,
	.eh_host_reset_handler = vtl_eh_host_reset,
	.can_queue = 64,
	.cmd_per_lun = 16,
	.this_id = -1,
	.sg_tablesize = VTL_SG_TABLESIZE,
	.max_sectors = VTL_MAX_XFER >> SECTOR_SHIFT,
	.max_segment_size = UINT_MAX,
	.cmd_size = sizeof(struct vtl_cmd),
};

int vtl_host_create(struct device *parent)
{
	struct Scsi_Host *shost;
	int ret;

	shost = scsi_host_alloc(&vtl_template, 0);
	if (!shost)
		return -ENOMEM;
	shost->max_channel = VTL_MAX_CHANNEL;
	shost->max_id = VTL_MAX_TARGET + 1;
	shost->max_lun = VTL_MAX_LUN + 1;
	shost->max_cmd_len = VTL_CDB_MAX;
	ret = scsi_add_host(shost, parent);
	if (ret) {
		scsi_host_put(shost);
		return ret;
	}
	vtl.shost = shost;
	return 0;
}

void vtl_host_destroy(void)
{
	scsi_remove_host(vtl.shost);
	scsi_host_put(vtl.shost);
	vtl.shost = NULL;
}
