/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cf-int80: exit 0 when int $0x80 works on this kernel, else exit 1 and print why (for the TAP
 * scripts' skip reasons; see int80.sh). Honours CALLFENCE_TEST_FORCE_NO_INT80.
 */
#include "cf-int80.h"

int main(void)
{
	char why[256];

	if (cf_int80_works(why, sizeof(why))) {
		puts("int 0x80 works");
		return 0;
	}
	puts(why);
	return 1;
}
