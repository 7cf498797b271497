using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>The DNS names and IP addresses a serving certificate is valid for.</summary>
internal sealed class SubjectAlternativeNames
{
    // In-cluster clients reach the API server through the kubernetes Service by these names.
    private static readonly string[] ClusterServiceNames =
        ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

    private SubjectAlternativeNames(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        DnsNames = new SortedSet<string>(dnsNames.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);
        Addresses = new SortedSet<string>(addresses.Select(Normalize), StringComparer.Ordinal);
    }

    /// <summary>DNS names, lower-case.</summary>
    public IReadOnlySet<string> DnsNames { get; }

    /// <summary>IP addresses in their canonical text form (IPv4-mapped IPv6 folded to IPv4).</summary>
    public IReadOnlySet<string> Addresses { get; }

    /// <summary>
    /// localhost, the loopback addresses, the host name and its addresses, the in-cluster service names, plus
    /// <paramref name="extra"/> (each an IP address when it parses as one, a DNS name otherwise).
    /// </summary>
    public static SubjectAlternativeNames ForServing(IEnumerable<string> extra)
    {
        var dns = new List<string> { "localhost" };
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        var hostName = Dns.GetHostName();
        if (hostName.Length > 0)
        {
            dns.Add(hostName);
        }

        dns.AddRange(ClusterServiceNames);
        addresses.AddRange(HostAddresses());
        foreach (var name in extra)
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (IPAddress.TryParse(trimmed.Trim('[', ']'), out var address))
            {
                addresses.Add(address);
            }
            else
            {
                dns.Add(trimmed);
            }
        }

        return new SubjectAlternativeNames(dns, addresses);
    }

    /// <summary>The names in a certificate's subject alternative name extension (none when it has no such extension).</summary>
    /// <summary>Exactly <paramref name="names"/>: IP addresses and DNS names (a kubelet's serving certificate).</summary>
    public static SubjectAlternativeNames Exactly(IEnumerable<string> names)
    {
        var list = names.Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        var addresses = list.Select(n => IPAddress.TryParse(n.Trim('[', ']'), out var a) ? a : null).OfType<IPAddress>().ToList();
        return new SubjectAlternativeNames(list.Where(n => !IPAddress.TryParse(n.Trim('[', ']'), out _)), addresses);
    }

    public static SubjectAlternativeNames Of(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return extension is null
            ? new SubjectAlternativeNames([], [])
            : new SubjectAlternativeNames(extension.EnumerateDnsNames(), extension.EnumerateIPAddresses());
    }

    /// <summary>True when every name and address of <paramref name="other"/> is also here.</summary>
    public bool Covers(SubjectAlternativeNames other) =>
        other.DnsNames.IsSubsetOf(DnsNames) && other.Addresses.IsSubsetOf(Addresses);

    /// <summary>The certificate extension listing these names.</summary>
    public X509Extension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in DnsNames)
        {
            builder.AddDnsName(name);
        }

        foreach (var address in Addresses)
        {
            builder.AddIpAddress(IPAddress.Parse(address));
        }

        return builder.Build();
    }

    private static string Normalize(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private static IEnumerable<IPAddress> HostAddresses()
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return [];
        }

        // Link-local IPv6 addresses need a zone to be dialled, so no client connects by them.
        return interfaces
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !(a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal))
            .Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId != 0 ? new IPAddress(a.GetAddressBytes()) : a)
            .ToList();
    }
}
