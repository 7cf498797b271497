using Cetus.Api.Stats;
using k8s.Models;

namespace Cetus.ApiServer.ResourceMetrics;

/// <summary>
/// Asks a node's kubelet for its <c>/stats/summary</c>. The API server serves metrics.k8s.io from it, as
/// metrics-server does from its scrapes. Failures are exceptions; the caller leaves that node out.
/// </summary>
public interface IKubeletStatsSource
{
    /// <summary>The summary of <paramref name="node"/> now.</summary>
    Task<StatsSummary> GetSummaryAsync(V1Node node, CancellationToken cancellationToken);
}
