using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>A service's cluster IPs and IP families, as a client may set them before the API server allocates the rest.</summary>
internal static class ServiceIpValidation
{
    private static readonly FieldPath SpecPath = FieldPath.Root("spec");
    private static readonly IReadOnlyList<string> IpFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly IReadOnlyList<string> IpFamilies = ["IPv4", "IPv6"];

    /// <summary>ValidateServiceClusterIPsRelatedFields: clusterIP and clusterIPs agree, valid IPs, at most one per family.</summary>
    public static IEnumerable<FieldError> ClusterIPs(V1ServiceSpec spec)
    {
        if (spec.Type == "ExternalName")
        {
            yield break;
        }

        var path = SpecPath.Child("clusterIPs");
        var ips = spec.ClusterIPs ?? [];
        var list = GoSyntax.StringSlice(spec.ClusterIPs);
        if (!string.IsNullOrEmpty(spec.ClusterIP))
        {
            if (ips.Count == 0)
            {
                yield return FieldErrors.Required(path);
            }
            else if (ips[0] != spec.ClusterIP)
            {
                yield return FieldErrors.Invalid(path, list, "first value must match `clusterIP`");
            }
        }
        else if (ips.Count > 0)
        {
            yield return FieldErrors.Invalid(path, list, "must be empty when `clusterIP` is not specified");
        }

        var families = spec.IpFamilies ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < families.Count; i++)
        {
            if (!IpFamilies.Contains(families[i]))
            {
                yield return FieldErrors.NotSupported(SpecPath.Child("ipFamilies").Index(i), families[i] ?? "", IpFamilies);
            }

            if (!seen.Add(families[i] ?? ""))
            {
                yield return FieldErrors.Duplicate(SpecPath.Child("ipFamilies").Index(i), families[i] ?? "");
            }
        }

        if (spec.IpFamilyPolicy is not null && !IpFamilyPolicies.Contains(spec.IpFamilyPolicy))
        {
            yield return FieldErrors.NotSupported(SpecPath.Child("ipFamilyPolicy"), spec.IpFamilyPolicy, IpFamilyPolicies);
        }

        var invalid = false;
        for (var i = 0; i < ips.Count; i++)
        {
            if (i == 0 && ips[0] == "None")
            {
                if (ips.Count > 1)
                {
                    invalid = true;
                    yield return FieldErrors.Invalid(path, list, "'None' must be the first and only value");
                }

                continue;
            }

            foreach (var error in IpAddresses.CheckIp(path.Index(i), ips[i] ?? ""))
            {
                invalid = true;
                yield return error;
            }
        }

        if (ips.Count > 2)
        {
            yield return FieldErrors.Invalid(path, list, "may only hold up to 2 values");
        }

        if (invalid)
        {
            yield break;
        }

        if (ips.Count > 1 && IpAddresses.IsIPv6(ips[0]) == IpAddresses.IsIPv6(ips[1]))
        {
            yield return FieldErrors.Invalid(path, list, "may specify no more than one IP for each IP family");
        }

        if (ServiceTypes.IsHeadless(spec))
        {
            yield break;
        }

        for (var i = 0; i < Math.Min(ips.Count, families.Count); i++)
        {
            if (families[i] == "IPv4" && IpAddresses.IsIPv6(ips[i]))
            {
                yield return FieldErrors.Invalid(path.Index(i), ips[i], $"expected an IPv4 value as indicated by `ipFamilies[{i}]`");
            }

            if (families[i] == "IPv6" && !IpAddresses.IsIPv6(ips[i]))
            {
                yield return FieldErrors.Invalid(path.Index(i), ips[i], $"expected an IPv6 value as indicated by `ipFamilies[{i}]`");
            }
        }
    }
}
