// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module init and exit of vtl, the pseudo SCSI host adapter of
 * the vtl virtual tape library: its logical units (tape drives, medium
 * changers) are implemented by user-space daemons (see vtl_uapi.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>

#include <scsi/scsi_host.h>

#include "vtl.h"

struct vtl_state vtl = {
	.by_addr = XARRAY_INIT(vtl.by_addr, XA_FLAGS_LOCK_IRQ),
	.by_minor = XARRAY_INIT(vtl.by_minor,
				XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ),
	.live = ATOMIC_INIT(0),
};

/* /dev/vtl/lu-C-T-L, mode 0660 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
static char *vtl_devnode(const struct device *dev, umode_t *mode)
#else
static char *vtl_devnode(struct device *dev, umode_t *mode)
#endif
{
	if (mode)
		*mode = 0660;
	return kasprintf(GFP_KERNEL, "vtl/%s", dev_name(dev));
}

static struct class vtl_class = {
	.name = "vtl",
	.devnode = vtl_devnode,
};

static int __init vtl_init(void)
{
	int ret;

	mutex_init(&vtl.lock);
	init_waitqueue_head(&vtl.gone);

	vtl.root = root_device_register("vtl");
	if (IS_ERR(vtl.root))
		return PTR_ERR(vtl.root);
	ret = class_register(&vtl_class);
	if (ret)
		goto err_root;
	vtl.class = &vtl_class;
	ret = alloc_chrdev_region(&vtl.devt, 0, VTL_MAX_UNITS, "vtl");
	if (ret)
		goto err_class;
	cdev_init(&vtl.cdev, &vtl_lu_fops);
	vtl.cdev.owner = THIS_MODULE;
	ret = cdev_add(&vtl.cdev, vtl.devt, VTL_MAX_UNITS);
	if (ret)
		goto err_region;
	vtl.wq = alloc_workqueue("vtl_scan", WQ_UNBOUND, 0);
	if (!vtl.wq) {
		ret = -ENOMEM;
		goto err_cdev;
	}
	ret = vtl_host_create(vtl.root);
	if (ret)
		goto err_wq;
	ret = vtl_control_register();
	if (ret)
		goto err_host;
	pr_info("host %u, uapi version %u, max transfer %u bytes\n",
		vtl.shost->host_no, VTL_UAPI_VERSION, VTL_MAX_XFER);
	return 0;

err_host:
	vtl_host_destroy();
err_wq:
	destroy_workqueue(vtl.wq);
err_cdev:
	cdev_del(&vtl.cdev);
err_region:
	unregister_chrdev_region(vtl.devt, VTL_MAX_UNITS);
err_class:
	class_unregister(&vtl_class);
err_root:
	root_device_unregister(vtl.root);
	return ret;
}

/*
 * Unload is possible only when no daemon holds a unit's device or the
 * control device open (each open holds a module reference): the units left
 * have no daemon and are removed here.
 */
static void __exit vtl_exit(void)
{
	unsigned long key = 0;
	struct vtl_lu *lu;

	vtl_control_deregister();
	mutex_lock(&vtl.lock);
	while ((lu = xa_find(&vtl.by_addr, &key, ULONG_MAX, XA_PRESENT)))
		vtl_lu_remove(lu);
	mutex_unlock(&vtl.lock);
	vtl_host_destroy();
	/* The scsi_devices' references may be dropped asynchronously. */
	wait_event(vtl.gone, !atomic_read(&vtl.live));
	destroy_workqueue(vtl.wq);
	cdev_del(&vtl.cdev);
	unregister_chrdev_region(vtl.devt, VTL_MAX_UNITS);
	class_unregister(&vtl_class);
	root_device_unregister(vtl.root);
}

module_init(vtl_init);
module_exit(vtl_exit);

MODULE_DESCRIPTION("vtl pseudo SCSI host adapter for user-space tape drives and medium changers");
MODULE_AUTHOR("The vtl authors");
MODULE_LICENSE("GPL");
