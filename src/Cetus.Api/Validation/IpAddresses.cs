using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>IP addresses and CIDRs as Kubernetes parses them (Go's net.ParseIP, allowing leading zeros in IPv4).</summary>
internal static class IpAddresses
{
    /// <summary>Parses an address; .NET's own parser also takes forms such as "1" or "0x7f.1" that Go refuses.</summary>
    public static IPAddress? Parse(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return !value.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        var parts = value.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit) ||
                !byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return new IPAddress(bytes);
    }

    /// <summary><c>must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)</c>.</summary>
    public static IEnumerable<FieldError> CheckIp(FieldPath path, string value)
    {
        if (Parse(value) is null)
        {
            yield return FieldErrors.Invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
    }

    /// <summary><c>must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)</c>.</summary>
    public static IEnumerable<FieldError> CheckCidr(FieldPath path, string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? null : Parse(value[..slash]);
        var max = address?.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = slash < 0 ? "" : value[(slash + 1)..];
        if (address is null || prefix.Length is 0 or > 3 || !prefix.All(char.IsAsciiDigit) || int.Parse(prefix, CultureInfo.InvariantCulture) > max)
        {
            yield return FieldErrors.Invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        }
    }

    /// <summary>Endpoints may not point at unspecified, loopback or link-local addresses.</summary>
    public static IEnumerable<FieldError> CheckNonSpecial(FieldPath path, string value)
    {
        var ip = Parse(value);
        if (ip is null)
        {
            yield return FieldErrors.Invalid(path, value, "must be a valid IP address");
            yield break;
        }

        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            yield return FieldErrors.Invalid(path, value, $"may not be unspecified ({value})");
        }

        if (IPAddress.IsLoopback(ip))
        {
            yield return FieldErrors.Invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
        }

        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork ? bytes[0] == 169 && bytes[1] == 254 : ip.IsIPv6LinkLocal)
        {
            yield return FieldErrors.Invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork ? bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0 : bytes[0] == 0xff && (bytes[1] & 0x0f) == 0x02)
        {
            yield return FieldErrors.Invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
        }
    }

    /// <summary>True for an IPv6 address.</summary>
    public static bool IsIPv6(string value) => Parse(value)?.AddressFamily == AddressFamily.InterNetworkV6;
}
