namespace Cetus.Testing;

/// <summary>The API server's request counters (<c>apiserver_request_total</c> from /metrics), for benchmarks.</summary>
public static class ApiRequestCounts
{
    /// <summary>Requests served so far, summed by verb and resource ("POST pods/binding").</summary>
    public static async Task<Dictionary<string, double>> ReadAsync(HttpClient http, Uri server)
    {
        ArgumentNullException.ThrowIfNull(http);
        var counts = new Dictionary<string, double>();
        foreach (var (sample, value) in await MetricSamples.ReadAsync(http, server).ConfigureAwait(false))
        {
            if (!sample.StartsWith("apiserver_request_total{", StringComparison.Ordinal))
            {
                continue;
            }

            var labels = sample[(sample.IndexOf('{', StringComparison.Ordinal) + 1)..sample.LastIndexOf('}')].Split(',')
                .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1].Trim('"'));
            var key = $"{labels.GetValueOrDefault("verb")} {labels.GetValueOrDefault("resource")}{(labels.GetValueOrDefault("subresource") is { Length: > 0 } sub ? "/" + sub : string.Empty)}";
            counts[key] = counts.GetValueOrDefault(key) + value;
        }

        return counts;
    }
}
