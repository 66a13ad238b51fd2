/* SPDX-License-Identifier: MIT */
/*
 * Optimisers: loom_graph_optimizer() appends, after the gradients, one
 * node holding the per-step hyperparameters on the device (Adam's step
 * counter and bias corrections, computed there by adam_tick; SGD's
 * learning rate) and one update node per parameter, whose persistent
 * buffer is the optimiser's state (Adam's m and v, SGD's momentum). The
 * updates run as TPC kernels (kernels/tpc/adam.c, sgd_momentum.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "graph_internal.h"

int loom_graph_optimizer(loom_graph *g, const struct loom_optim_opts *o)
{
	struct loom_optim_opts opt = { 0 };
	uint32_t d;
	int hyper;

	if (!g)
		return -EINVAL;
	if (!o || o->sz < offsetof(struct loom_optim_opts, weight_decay) + sizeof(float))
		return graph_errorf(g, -EINVAL, "optimizer: bad options (set .sz)");
	if (o->sz > sizeof(opt)) {
		for (size_t i = sizeof(opt); i < o->sz; i++)
			if (((const char *)o)[i])
				return graph_errorf(g, -EINVAL, "optimizer: unknown options");
	}
	memcpy(&opt, o, sizeof(opt));
	if (g->frozen)
		return graph_errorf(g, -EBUSY, "optimizer: the graph is compiled (frozen)");
	if (!g->has_backward)
		return graph_errorf(g, -EINVAL, "optimizer: call loom_graph_backward() first");
	if (g->has_optim)
		return graph_errorf(g, -EINVAL, "optimizer: already set");
	if (opt.kind != LOOM_OPTIM_SGD && opt.kind != LOOM_OPTIM_ADAM)
		return graph_errorf(g, -EINVAL, "optimizer: unknown kind %d", (int)opt.kind);
	if (opt.kind == LOOM_OPTIM_ADAM) {
		if (opt.beta1 == 0)
			opt.beta1 = 0.9f;
		if (opt.beta2 == 0)
			opt.beta2 = 0.999f;
		if (opt.eps == 0)
			opt.eps = 1e-8f;
	}
	if (!(opt.lr > 0) || !(opt.momentum >= 0 && opt.momentum < 1) ||
	    !(opt.beta1 >= 0 && opt.beta1 < 1) || !(opt.beta2 >= 0 && opt.beta2 < 1) ||
	    !(opt.eps >= 0) || !(opt.weight_decay >= 0))
		return graph_errorf(g, -EINVAL,
				    "optimizer: lr %g must be > 0; momentum, beta1, beta2 in [0, 1); eps, weight_decay >= 0",
				    (double)opt.lr);

	d = opt.kind == LOOM_OPTIM_ADAM ? 5 : 1;
	hyper = graph_node_add(g, opt.kind == LOOM_OPTIM_ADAM ? GK_ADAM_TICK : GK_SGD_HYPER,
			       "optimizer", LOOM_G_F32, 1, &d, NULL, 0);
	if (hyper < 0)
		return hyper;
	g->nodes[hyper].persistent = true;
	int count = g->count;

	for (int i = 0; i < count; i++) {
		struct gnode *p = &g->nodes[i];
		char name[GRAPH_NAME_LEN + 8];

		if (p->kind != GK_PARAM || p->grad < 0)
			continue;
		int in[3] = { i, p->grad, hyper };
		uint64_t n = p->nelem * (opt.kind == LOOM_OPTIM_ADAM ? 2 : 1);
		uint32_t dn = (uint32_t)n;

		if (n > (1u << 31) - 1)
			return graph_errorf(g, -EINVAL, "optimizer: '%s' too large", p->name);
		snprintf(name, sizeof(name), "%.40s.update", p->name);
		int u = graph_node_add(g, GK_UPDATE, name, LOOM_G_F32, 1, &dn, in, 3);

		if (u < 0)
			return u;
		g->nodes[u].persistent = true;
		g->nodes[i].update = u;
	}
	g->optim = opt;
	g->has_optim = true;
	return 0;
}
