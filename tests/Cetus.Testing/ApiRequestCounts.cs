using System.Globalization;

namespace Cetus.Testing;

/// <summary>The API server's request counters (<c>apiserver_request_total</c> from /metrics), for benchmarks.</summary>
public static class ApiRequestCounts
{
    /// <summary>Requests served so far, summed by verb and resource ("POST pods/binding").</summary>
    public static async Task<Dictionary<string, double>> ReadAsync(HttpClient http, Uri server)
    {
        ArgumentNullException.ThrowIfNull(http);
        var counts = new Dictionary<string, double>();
        var text = await http.GetStringAsync(new Uri(server, "metrics")).ConfigureAwait(false);
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("apiserver_request_total{", StringComparison.Ordinal)))
        {
            var labels = line[(line.IndexOf('{', StringComparison.Ordinal) + 1)..line.LastIndexOf('}')].Split(',')
                .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1].Trim('"'));
            var key = $"{labels.GetValueOrDefault("verb")} {labels.GetValueOrDefault("resource")}{(labels.GetValueOrDefault("subresource") is { Length: > 0 } sub ? "/" + sub : string.Empty)}";
            counts[key] = counts.GetValueOrDefault(key) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
