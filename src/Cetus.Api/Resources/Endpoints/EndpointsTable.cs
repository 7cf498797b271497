using System.Globalization;
using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Endpoints;

/// <summary>Endpoints: Name, Endpoints (the first three <c>ip:port</c>, then <c>+ N more...</c>), Age.</summary>
public sealed class EndpointsTable : TableConvertor<V1Endpoints>
{
    private const int Shown = 3;

    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Endpoints item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        Format(item.Subsets),
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];

    // Only ready addresses count; a subset without ports (a headless service) lists bare IPs.
    private static string Format(IList<V1EndpointSubset>? subsets)
    {
        if (subsets is null || subsets.Count == 0)
        {
            return "<none>";
        }

        var shown = new List<string>(Shown);
        var total = 0;
        foreach (var subset in subsets)
        {
            var addresses = subset.Addresses ?? [];
            if (subset.Ports is not { Count: > 0 } ports)
            {
                total += addresses.Count;
                shown.AddRange(addresses.Take(Shown - shown.Count).Select(a => a.Ip));
                continue;
            }

            foreach (var port in ports)
            {
                total += addresses.Count;
                shown.AddRange(addresses.Take(Shown - shown.Count).Select(a => JoinHostPort(a.Ip, port.Port)));
            }
        }

        var text = string.Join(",", shown);
        return total > Shown ? string.Create(CultureInfo.InvariantCulture, $"{text} + {total - Shown} more...") : text;
    }

    // As Go's net.JoinHostPort: IPv6 addresses go in brackets.
    private static string JoinHostPort(string host, int port)
    {
        var bracketed = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        return bracketed + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
