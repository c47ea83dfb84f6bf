/* SPDX-License-Identifier: Apache-2.0 */
/* netbpf.h without BPF: this tinyjail was built with `make NET_BPF=0`. */
#include "tj/layers/netbpf.h"

int tj_netbpf_load(const struct tj_net_rules *r, struct tj_netbpf **ret, struct tj_err **err)
{
	(void)r;
	*ret = NULL;
	tj_err_set(err, TJ_ERR_LAYER, 0,
		   "this tinyjail was built without the BPF programs of the host network rules (make NET_BPF=0)");
	return tj_err_hint(err, "rebuild with clang and bpftool installed (make NET_BPF=1, the default)");
}

void tj_netbpf_free(struct tj_netbpf *b)
{
	(void)b;
}

int tj_netbpf_attach(struct tj_netbpf *b, int cgroup_fd, const char *cgroup_path, struct tj_err **err)
{
	(void)b;
	(void)cgroup_fd;
	(void)cgroup_path;
	return tj_err_set(err, TJ_ERR_INTERNAL, 0, "no BPF programs to attach (make NET_BPF=0)");
}

int tj_netbpf_open_events(struct tj_netbpf *b, struct tj_err **err)
{
	(void)b;
	return tj_err_set(err, TJ_ERR_INTERNAL, 0, "no BPF programs to read (make NET_BPF=0)");
}

int tj_netbpf_events_fd(const struct tj_netbpf *b)
{
	(void)b;
	return -1;
}

void tj_netbpf_drain(struct tj_netbpf *b, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx)
{
	(void)b;
	(void)cb;
	(void)ctx;
}

void tj_netbpf_counts(const struct tj_netbpf *b, uint64_t *refused, uint64_t *unrecorded)
{
	(void)b;
	*refused = *unrecorded = 0;
}
