/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail --version`: our version and what we run on. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "tj/cli/cmd.h"
#include "tj/json/profile_json.h"

#ifndef TJ_VERSION
#define TJ_VERSION "0.0.0-dev"
#endif

int tj_cmd_version(void)
{
	char seccomp[32];
	tj_filter_library_version(seccomp, sizeof(seccomp));
	struct utsname u;
	uname(&u);
	char actions[256] = "?";
	FILE *f = fopen("/proc/sys/kernel/seccomp/actions_avail", "re");
	if (f) {
		if (!fgets(actions, sizeof(actions), f))
			strcpy(actions, "?");
		actions[strcspn(actions, "\n")] = '\0';
		fclose(f);
	}
	printf("tinyjail %s\n", TJ_VERSION);
	printf("libseccomp %s (API level %u), json-c %s\n", seccomp, tj_filter_api_level(), tj_json_library_version());
	printf("kernel %s %s (seccomp actions: %s)\n", u.release, u.machine, actions);
	return 0;
}
