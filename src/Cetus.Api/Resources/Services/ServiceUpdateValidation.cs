using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>
/// What a service update may not do (ValidateServiceUpdate): change a cluster IP or IP family once set (a second one
/// may be added or released), or the health check node port.
/// </summary>
internal static class ServiceUpdateValidation
{
    private static readonly FieldPath SpecPath = FieldPath.Root("spec");

    public static IEnumerable<FieldError> Validate(V1ServiceSpec spec, V1ServiceSpec old)
    {
        var errors = new List<FieldError>();
        if (spec.Type == "ExternalName" || old.Type == "ExternalName")
        {
            return errors;
        }

        errors.AddRange(ClusterIPs(spec, old));
        errors.AddRange(Families(spec, old));
        if (ServiceTypes.NeedsHealthCheck(old) && ServiceTypes.NeedsHealthCheck(spec) && spec.HealthCheckNodePort != old.HealthCheckNodePort)
        {
            errors.Add(FieldErrors.Forbidden(SpecPath.Child("healthCheckNodePort"), FieldErrors.ImmutableDetail));
        }

        return errors;
    }

    private static IEnumerable<FieldError> ClusterIPs(V1ServiceSpec spec, V1ServiceSpec old)
    {
        if (ServiceTypes.IsHeadless(spec) && ServiceTypes.IsHeadless(old))
        {
            yield break;
        }

        var ips = spec.ClusterIPs ?? [];
        var previous = old.ClusterIPs ?? [];
        var path = SpecPath.Child("clusterIPs");
        var list = GoSyntax.StringSlice(spec.ClusterIPs);
        if (ips.Count == previous.Count)
        {
            for (var i = 0; i < previous.Count; i++)
            {
                if (previous[i] != ips[i])
                {
                    yield return FieldErrors.Invalid(path.Index(i), list, "may not change once set");
                }
            }
        }
        else if (ips.Count < previous.Count)
        {
            if (ips.Count == 0)
            {
                yield return FieldErrors.Invalid(path.Index(0), list, "primary clusterIP can not be unset");
            }
            else if (ips[0] != previous[0])
            {
                yield return FieldErrors.Invalid(path.Index(0), list, "may not change once set");
            }

            if (ips.Count == 1 && spec.IpFamilyPolicy != "SingleStack")
            {
                yield return FieldErrors.Invalid(SpecPath.Child("ipFamilyPolicy"), spec.IpFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary clusterIP");
            }
        }
        else if (previous.Count > 0 && ips[0] != previous[0])
        {
            yield return FieldErrors.Invalid(path.Index(0), list, "may not change once set");
        }
    }

    private static IEnumerable<FieldError> Families(V1ServiceSpec spec, V1ServiceSpec old)
    {
        // Headless services may change families, and so may a service becoming or ceasing to be headless.
        if (ServiceTypes.IsHeadless(spec) || ServiceTypes.IsHeadless(old))
        {
            yield break;
        }

        var families = spec.IpFamilies ?? [];
        var previous = old.IpFamilies ?? [];
        var path = SpecPath.Child("ipFamilies").Index(0);
        if (families.Count == previous.Count)
        {
            for (var i = 0; i < previous.Count; i++)
            {
                if (previous[i] != families[i])
                {
                    yield return FieldErrors.Invalid(path, GoSyntax.StringSlice(families), "may not change once set");
                }
            }
        }
        else if (families.Count < previous.Count)
        {
            if ((spec.ClusterIPs?.Count ?? 0) == 0)
            {
                yield return FieldErrors.Invalid(path, GoSyntax.StringSlice(families), "primary ipFamily can not be unset");
            }

            if (families.Count > 0 && families[0] != previous[0])
            {
                yield return FieldErrors.Invalid(path, GoSyntax.StringSlice(spec.ClusterIPs), "may not change once set");
            }

            if (families.Count == 1 && spec.IpFamilyPolicy != "SingleStack")
            {
                yield return FieldErrors.Invalid(SpecPath.Child("ipFamilyPolicy"), spec.IpFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary ipFamily");
            }
        }
        else if (previous.Count > 0 && families[0] != previous[0])
        {
            yield return FieldErrors.Invalid(path, GoSyntax.StringSlice(spec.ClusterIPs), "may not change once set");
        }
    }
}
