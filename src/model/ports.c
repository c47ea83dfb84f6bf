/* SPDX-License-Identifier: Apache-2.0 */
/* Port lists (ports.h). */
#include <stdlib.h>

#include "tj/model/ports.h"

struct add_ctx {
	struct tj_port_list *l;
	unsigned min;
	const char *what;
};

static int add_port(void *ctx, char *item, struct tj_err **err)
{
	struct add_ctx *c = ctx;
	uint64_t p;
	if (!tj_parse_u64(item, &p) || p < c->min || p > TJ_PORT_MAX)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s' is not a %s (%u-%u)", item, c->what, c->min, TJ_PORT_MAX);
	c->l->v = tj_xrealloc(c->l->v, (c->l->n + 2) * sizeof(*c->l->v));
	c->l->v[c->l->n++] = (uint16_t)p;
	return 0;
}

int tj_ports_add(struct tj_port_list *l, const char *list, unsigned min, const char *what, struct tj_err **err)
{
	struct add_ctx c = {l, min, what};
	return tj_for_each_item(list, add_port, &c, err);
}

void tj_ports_format(struct tj_buf *b, const struct tj_port_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tj_buf_addf(b, "%s%u", i ? ", " : "", (unsigned)l->v[i]);
	if (!l->n)
		tj_buf_add(b, "none");
}
