using System.Globalization;

namespace Cetus.Testing;

/// <summary>A Prometheus text exposition (an API server's /metrics) read into its samples.</summary>
public static class MetricSamples
{
    /// <summary>Every sample of <c>GET /metrics</c>, keyed by what precedes its value (<c>name{labels}</c>).</summary>
    public static async Task<Dictionary<string, double>> ReadAsync(HttpClient http, Uri server)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Parse(await http.GetStringAsync(new Uri(server, "metrics")).ConfigureAwait(false));
    }

    /// <summary>The samples of an exposition's text; comments are skipped.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (line.Length == 0 || line[0] == '#' || space <= 0)
            {
                continue;
            }

            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }
}
