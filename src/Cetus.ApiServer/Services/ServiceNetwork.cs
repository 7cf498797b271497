using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cetus.ApiServer.Services;

/// <summary>
/// Where services get their addresses (kube-apiserver's --service-cluster-ip-range and --service-node-port-range):
/// cluster IPs from an IPv4 CIDR, node ports from a port range.
/// </summary>
/// <param name="ClusterIPs">The service CIDR (default 10.43.0.0/16, as k3s).</param>
/// <param name="NodePorts">The node port range (default 30000-32767).</param>
public sealed record ServiceNetwork(ServiceCidr ClusterIPs, PortRange NodePorts)
{
    /// <summary>k3s' defaults: 10.43.0.0/16 and 30000-32767.</summary>
    public static ServiceNetwork Default { get; } = new(ServiceCidr.Parse("10.43.0.0/16"), PortRange.Parse("30000-32767"));
}

/// <summary>
/// An IPv4 service CIDR (ipallocator's range): its network and broadcast addresses are never handed out, and its first
/// address is the <c>kubernetes</c> Service's.
/// </summary>
public sealed class ServiceCidr
{
    private ServiceCidr(uint network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
    }

    /// <summary>The network address, as a number.</summary>
    public uint Network { get; }

    /// <summary>The prefix length (8 to 30).</summary>
    public int PrefixLength { get; }

    /// <summary>How many addresses the range has, network and broadcast included.</summary>
    public long Size => 1L << (32 - PrefixLength);

    /// <summary>The first usable address: the <c>kubernetes</c> Service's cluster IP.</summary>
    public string First => Format(Network + 1);

    /// <summary>
    /// Parses "A.B.C.D/N". Only IPv4 (Cetus' service network is single-stack), and only prefixes from /8 (as kube-apiserver,
    /// which refuses larger ranges) to /30 (two usable addresses).
    /// </summary>
    /// <exception cref="FormatException">Not such a CIDR.</exception>
    public static ServiceCidr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 8 or > 30)
        {
            throw new FormatException($"invalid service cluster IP range \"{text}\": want an IPv4 CIDR from /8 to /30, as 10.43.0.0/16");
        }

        var mask = uint.MaxValue << (32 - prefix);
        return new ServiceCidr(ToNumber(address) & mask, prefix);
    }

    /// <summary>The address as a number, or null when it is not an IPv4 address.</summary>
    public static uint? TryNumber(string? ip) =>
        ip is not null && IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? ToNumber(address) : null;

    /// <summary>The dotted form of an address.</summary>
    public static string Format(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}");

    /// <summary>True when <paramref name="address"/> may be handed out: inside the range, neither network nor broadcast address.</summary>
    public bool Usable(uint address) => address > Network && address < Network + Size - 1;

    /// <summary>
    /// A random free address, as ipallocator picks them: first from the upper band (the lower 1/16, at least 16 and at
    /// most 256 addresses, is left to clients that ask for a given IP), then from anywhere; never the first address
    /// (the <c>kubernetes</c> Service's). Null when the range is full.
    /// </summary>
    public string? Pick(Func<uint, bool> used, Random random)
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(random);
        var first = Network + 2;
        var count = Size - 3;
        if (count <= 0)
        {
            return null;
        }

        var lowerBand = Math.Min(Math.Max(16, Size / 16), 256);
        var found = (count > lowerBand ? Scan(first + (uint)lowerBand, count - lowerBand) : null) ?? Scan(first, count);
        return found is { } address ? Format(address) : null;

        uint? Scan(uint start, long length)
        {
            // A random start, then linearly (wrapping): every address of the band is tried once.
            var offset = random.NextInt64(length);
            for (long i = 0; i < length; i++)
            {
                var candidate = start + (uint)((offset + i) % length);
                if (!used(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Format(Network)}/{PrefixLength}");

    private static uint ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }
}

/// <summary>A node port range, "30000-32767" (portallocator's range).</summary>
/// <param name="Base">The first port.</param>
/// <param name="Size">How many ports.</param>
public sealed record PortRange(int Base, int Size)
{
    /// <summary>Parses "FIRST-LAST" (or one port).</summary>
    /// <exception cref="FormatException">Not such a range.</exception>
    public static PortRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-');
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
            || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
            || low < 1 || high > 65535 || high < low)
        {
            throw new FormatException($"invalid service node port range \"{text}\": want FIRST-LAST within 1-65535, as 30000-32767");
        }

        return new PortRange(low, high - low + 1);
    }

    /// <summary>True when <paramref name="port"/> is in the range.</summary>
    public bool Contains(int port) => port >= Base && port < Base + Size;

    /// <summary>
    /// A random free port, as portallocator picks them: first from the upper band (the lower 1/16, at least 16 and at
    /// most 128 ports, is left to clients that ask for a given port), then from anywhere. Null when the range is full.
    /// </summary>
    public int? Pick(Func<int, bool> used, Random random)
    {
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(random);
        var lowerBand = Math.Min(Math.Max(16, Size / 16), 128);
        return (Size > lowerBand ? Scan(Base + lowerBand, Size - lowerBand) : null) ?? Scan(Base, Size);

        int? Scan(int start, int length)
        {
            var offset = random.Next(length);
            for (var i = 0; i < length; i++)
            {
                var candidate = start + ((offset + i) % length);
                if (!used(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Base}-{Base + Size - 1}");
}
