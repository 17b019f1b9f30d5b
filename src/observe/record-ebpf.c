/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "observe/record-observe.h"

int cf_rec_ebpf_new(const struct cf_rec_opts *o, struct cf_recording *rec, struct cf_rec_ebpf **ret,
		    const char **ret_why)
{
	(void)o, (void)rec, (void)ret;
	*ret_why = "the eBPF recorder is not written yet";
	return -EOPNOTSUPP;
}

struct cf_rec_ebpf *cf_rec_ebpf_free(struct cf_rec_ebpf *e)
{
	(void)e;
	return NULL;
}

void cf_rec_ebpf_hooks(struct cf_rec_ebpf *e, struct cf_run_observer *ret)
{
	(void)e;
	*ret = (struct cf_run_observer){ 0 };
}

int cf_rec_ebpf_finish(struct cf_rec_ebpf *e)
{
	(void)e;
	return -EOPNOTSUPP;
}
