// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vtl/control: VTL_IOC_ADD_LU, VTL_IOC_REMOVE_LU and
 * VTL_IOC_INFO (see vtl_uapi.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <scsi/scsi_host.h>

#include "vtl.h"

static int vtl_ctl_add(struct vtl_add_lu __user *argp)
{
	struct vtl_add_lu a;
	struct vtl_lu *lu;
	int ret = 0;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.version != VTL_UAPI_VERSION || a.reserved ||
	    !vtl_addr_valid(a.channel, a.target, a.lun) ||
	    (a.type != VTL_TYPE_TAPE && a.type != VTL_TYPE_CHANGER))
		return -EINVAL;

	mutex_lock(&vtl.lock);
	lu = xa_load(&vtl.by_addr,
		     vtl_addr_key(a.channel, a.target, a.lun));
	if (lu) {
		/* A restarted daemon finds its unit again. */
		if (lu->type != a.type || vtl_lu_is_attached(lu))
			ret = -EBUSY;
		a.flags = VTL_LU_EXISTED;
	} else {
		lu = vtl_lu_create(a.channel, a.target, a.lun, a.type);
		if (IS_ERR(lu))
			ret = PTR_ERR(lu);
		a.flags = 0;
	}
	mutex_unlock(&vtl.lock);
	if (ret)
		return ret;

	a.host = vtl.shost->host_no;
	memset(a.devname, 0, sizeof(a.devname));
	snprintf(a.devname, sizeof(a.devname), "vtl/lu-%u-%u-%u",
		 a.channel, a.target, a.lun);
	/* On a fault the unit stays; adding it again reports it existed. */
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

static int vtl_ctl_remove(struct vtl_lu_addr __user *argp)
{
	struct vtl_lu_addr a;
	struct vtl_lu *lu;
	int ret = 0;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.version != VTL_UAPI_VERSION ||
	    !vtl_addr_valid(a.channel, a.target, a.lun))
		return -EINVAL;

	mutex_lock(&vtl.lock);
	lu = xa_load(&vtl.by_addr,
		     vtl_addr_key(a.channel, a.target, a.lun));
	if (lu)
		vtl_lu_remove(lu);
	else
		ret = -ENOENT;
	mutex_unlock(&vtl.lock);
	return ret;
}

static int vtl_ctl_info(struct vtl_info __user *argp)
{
	struct vtl_info info = {
		.version = VTL_UAPI_VERSION,
		.host = vtl.shost->host_no,
		.max_xfer = VTL_MAX_XFER,
	};

	mutex_lock(&vtl.lock);
	info.units = vtl.units;
	mutex_unlock(&vtl.lock);
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long vtl_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VTL_IOC_ADD_LU:
		return vtl_ctl_add(argp);
	case VTL_IOC_REMOVE_LU:
		return vtl_ctl_remove(argp);
	case VTL_IOC_INFO:
		return vtl_ctl_info(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vtl_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vtl_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vtl_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vtl-control",
	.nodename = "vtl/control",
	.mode = 0660,
	.fops = &vtl_ctl_fops,
};

int vtl_control_register(void)
{
	return misc_register(&vtl_ctl_dev);
}

void vtl_control_deregister(void)
{
	misc_deregister(&vtl_ctl_dev);
}
