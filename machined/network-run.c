/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RunConfig's network fields into a prepared NetworkPlan. */

#include "log.h"
#include "network-run.h"
#include "string-util.h"

int network_run_prepare(RunConfig *c, NetworkPlan **ret) {
        _cleanup_network_plan_ NetworkPlan *p = NULL;
        NetworkOptions o = {
                .private_network = c->private_network,
                .veth = c->network_veth,
                .bridge = c->network_bridge,
                .zone = c->network_zone,
                .ports = c->ports,
                .address = c->network_address,
        };
        int r;

        r = network_plan_new(c->root, c->machine_name, &o, &p);
        if (r < 0)
                return r;
        if (network_plan_private(p))
                c->private_network = true;

        r = network_plan_prepare(p);
        if (r < 0)
                return r;

        const char *hosts = network_plan_hosts_file(p);
        if (hosts) {
                _cleanup_free_ char *spec = strprintf("%s:/etc/hosts", hosts);
                if (!spec)
                        return log_oom();
                r = run_config_add_bind(c, spec, true);
                if (r < 0)
                        return log_error_errno(r, "Failed to bind '%s' onto /etc/hosts: %m", hosts);
        }
        *ret = TAKE_PTR(p);
        return 0;
}
