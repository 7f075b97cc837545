#pragma once
/// The admin listener's handler: /healthz (process up), /readyz
/// (directory and every shard reachable; load balancers check this) and
/// /metrics (Prometheus). Never exposed on the public port.

#include "cosmo/admin/metrics.hpp"
#include "cosmo/http/message.hpp"
#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::admin {

class AdminHandler : public http::Handler {
public:
    AdminHandler(store::Directory& directory, store::ShardStore& shards,
                 MetricsSources metrics = {});
    http::Response handle(http::Request& request, http::RequestContext& context) const override;

private:
    store::Directory& directory_;
    store::ShardStore& shards_;
    MetricsSources metrics_;
};

}  // namespace cosmo::admin
