/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* Turn a libc "-1 and errno" result into our "-errno" convention. */
static inline int neg_errno(int r)
{
	if (r >= 0)
		return r;
	return errno > 0 ? -errno : -EIO;
}
