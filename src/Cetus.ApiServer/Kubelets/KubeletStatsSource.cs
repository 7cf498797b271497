using Cetus.Api.Stats;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.ResourceMetrics;
using k8s.Models;

namespace Cetus.ApiServer.Kubelets;

/// <summary>A node's resource usage from its kubelet's /stats/summary, over the API server's kubelet connection.</summary>
internal sealed class KubeletStatsSource(KubeletConnector kubelets) : IKubeletStatsSource
{
    /// <inheritdoc/>
    public async Task<StatsSummary> GetSummaryAsync(V1Node node, CancellationToken cancellationToken)
    {
        using var response = await kubelets.GetAsync(KubeletConnector.EndpointOf(node), "/stats/summary", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? StatsSummary.FromJson(body)
            : throw Problems.Internal($"the kubelet of node {node.Metadata?.Name} answered {(int)response.StatusCode} to /stats/summary");
    }
}
