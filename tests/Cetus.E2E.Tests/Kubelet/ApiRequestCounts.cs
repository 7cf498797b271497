using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>The API server's own request counts (apiserver_request_total), read with kubectl get --raw /metrics.</summary>
internal static class ApiRequestCounts
{
    /// <summary>The requests of <paramref name="verb"/> (e.g. GET) on <paramref name="resource"/> so far, every code.</summary>
    public static async Task<double> OfAsync(string kubeconfig, string verb, string resource)
    {
        var metrics = await Kubectl.RunAsync(kubeconfig, "get", "--raw", "/metrics");
        Assert.True(metrics.ExitCode == 0, metrics.ToString());
        return metrics.Stdout.Split('\n')
            .Where(l => l.StartsWith("apiserver_request_total{", StringComparison.Ordinal) && l.Contains($"verb=\"{verb}\"", StringComparison.Ordinal) && l.Contains($"resource=\"{resource}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
