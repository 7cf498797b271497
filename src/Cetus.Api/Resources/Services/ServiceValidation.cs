using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>
/// A service (ValidateService): ports, type, session affinity, cluster IPs and IP families, traffic policies.
/// Cluster IPs and node ports are allocated by the API server, so a missing healthCheckNodePort is not an error here.
/// </summary>
internal static class ServiceValidation
{
    private static readonly FieldPath SpecPath = FieldPath.Root("spec");
    private static readonly IReadOnlyList<string> Affinities = ["ClientIP", "None"];
    private static readonly IReadOnlyList<string> TrafficPolicies = ["Cluster", "Local"];

    public static IEnumerable<FieldError> Validate(V1Service service)
    {
        var spec = service.Spec ?? new V1ServiceSpec();
        var errors = ObjectMetaValidation.ValidateCreate(service.Metadata, namespaced: true, NameValidators.Dns1035Label).ToList();
        var ports = spec.Ports ?? [];
        var headless = ServiceTypes.IsHeadless(spec);
        if (ports.Count == 0 && !headless && spec.Type != "ExternalName")
        {
            errors.Add(FieldErrors.Required(SpecPath.Child("ports")));
        }

        errors.AddRange(TypeSpecific(spec, headless));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            errors.AddRange(ServicePort(ports[i], ports.Count > 1, names, SpecPath.Child("ports").Index(i)));
        }

        errors.AddRange(LabelValidation.Labels(spec.Selector, SpecPath.Child("selector")));
        errors.AddRange(Affinity(spec));
        errors.AddRange(ServiceIpValidation.ClusterIPs(spec));
        for (var i = 0; i < (spec.ExternalIPs?.Count ?? 0); i++)
        {
            var path = SpecPath.Child("externalIPs").Index(i);
            var ip = spec.ExternalIPs![i] ?? "";
            var invalid = IpAddresses.CheckIp(path, ip).ToList();
            errors.AddRange(invalid.Count > 0 ? invalid : IpAddresses.CheckNonSpecial(path, ip));
        }

        errors.AddRange(ContainerValidation.OneOf(spec.Type, ServiceTypes.All, SpecPath.Child("type")));
        errors.AddRange(PortCollisions(spec));
        errors.AddRange(LoadBalancerFields(spec));
        errors.AddRange(TrafficPolicy(spec));
        return errors;
    }

    private static IEnumerable<FieldError> TypeSpecific(V1ServiceSpec spec, bool headless)
    {
        switch (spec.Type)
        {
            case "LoadBalancer" or "NodePort" when headless:
                yield return FieldErrors.Invalid(SpecPath.Child("clusterIPs").Index(0), spec.ClusterIPs![0], $"may not be set to 'None' for {spec.Type} services");
                break;
            case "ExternalName":
                if ((spec.ClusterIPs?.Count ?? 0) > 0)
                {
                    yield return FieldErrors.Forbidden(SpecPath.Child("clusterIPs"), "may not be set for ExternalName services");
                }

                if ((spec.IpFamilies?.Count ?? 0) > 0)
                {
                    yield return FieldErrors.Forbidden(SpecPath.Child("ipFamilies"), "may not be set for ExternalName services");
                }

                if (spec.IpFamilyPolicy is not null)
                {
                    yield return FieldErrors.Forbidden(SpecPath.Child("ipFamilyPolicy"), "may not be set for ExternalName services");
                }

                // A CNAME may end in a dot to say it is fully qualified.
                var name = (spec.ExternalName ?? "").TrimEnd('.');
                if (name.Length == 0)
                {
                    yield return FieldErrors.Required(SpecPath.Child("externalName"));
                }

                foreach (var message in name.Length == 0 ? [] : DnsNames.IsDns1123Subdomain(name))
                {
                    yield return FieldErrors.Invalid(SpecPath.Child("externalName"), name, message);
                }

                break;
        }
    }

    private static IEnumerable<FieldError> ServicePort(V1ServicePort port, bool requireName, HashSet<string> names, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (requireName && string.IsNullOrEmpty(port.Name))
        {
            errors.Add(FieldErrors.Required(path.Child("name")));
        }
        else if (!string.IsNullOrEmpty(port.Name))
        {
            errors.AddRange(DnsNames.IsDns1123Label(port.Name).Select(m => FieldErrors.Invalid(path.Child("name"), port.Name, m)));
            if (!names.Add(port.Name))
            {
                errors.Add(FieldErrors.Duplicate(path.Child("name"), port.Name));
            }
        }

        errors.AddRange(Ports.CheckNumber(port.Port).Select(m => FieldErrors.Invalid(path.Child("port"), port.Port, m)));
        errors.AddRange(ContainerPortValidation.Protocol(port.Protocol, path.Child("protocol")));
        errors.AddRange(Ports.CheckNumberOrName(port.TargetPort, path.Child("targetPort")));
        if (port.AppProtocol is not null)
        {
            errors.AddRange(QualifiedNames.IsQualifiedName(port.AppProtocol).Select(m => FieldErrors.Invalid(path.Child("appProtocol"), port.AppProtocol, m)));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Affinity(V1ServiceSpec spec)
    {
        var path = SpecPath.Child("sessionAffinityConfig");
        foreach (var error in ContainerValidation.OneOf(spec.SessionAffinity, Affinities, SpecPath.Child("sessionAffinity")))
        {
            yield return error;
        }

        if (spec.SessionAffinity == "ClientIP")
        {
            const string detail = "when session affinity type is ClientIP";
            if (spec.SessionAffinityConfig is null)
            {
                yield return FieldErrors.Required(path, detail);
            }
            else if (spec.SessionAffinityConfig.ClientIP is null)
            {
                yield return FieldErrors.Required(path.Child("clientIP"), detail);
            }
            else if (spec.SessionAffinityConfig.ClientIP.TimeoutSeconds is not { } timeout)
            {
                yield return FieldErrors.Required(path.Child("clientIP", "timeoutSeconds"), detail);
            }
            else if (timeout <= 0 || timeout > 86400)
            {
                yield return FieldErrors.Invalid(path.Child("clientIP", "timeoutSeconds"), timeout, "must be greater than 0 and less than 86400");
            }
        }
        else if (spec.SessionAffinity == "None" && spec.SessionAffinityConfig is not null)
        {
            yield return FieldErrors.Forbidden(path, "must not be set when session affinity is None");
        }
    }

    private static IEnumerable<FieldError> PortCollisions(V1ServiceSpec spec)
    {
        var ports = spec.Ports ?? [];
        var path = SpecPath.Child("ports");
        if (spec.Type == "ClusterIP")
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i].NodePort is not (null or 0))
                {
                    yield return FieldErrors.Forbidden(path.Index(i).Child("nodePort"), "may not be used when `type` is 'ClusterIP'");
                }
            }
        }

        var nodePorts = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is { } nodePort and not 0 && !nodePorts.Add((ports[i].Protocol, nodePort)))
            {
                yield return FieldErrors.Duplicate(path.Index(i).Child("nodePort"), nodePort);
            }
        }

        var servicePorts = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (!servicePorts.Add((ports[i].Protocol, ports[i].Port)))
            {
                var key = new GoLiteral($"core.ServicePort{{Name:\"\", Protocol:{GoText.Quote(ports[i].Protocol ?? "")}, AppProtocol:(*string)(nil), Port:{ports[i].Port}, " +
                    "TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}");
                yield return FieldErrors.Duplicate(path.Index(i), key);
            }
        }
    }

    private static IEnumerable<FieldError> LoadBalancerFields(V1ServiceSpec spec)
    {
        const string onlyLoadBalancer = "may only be used when `type` is 'LoadBalancer'";
        var ranges = spec.LoadBalancerSourceRanges ?? [];
        if (ranges.Count > 0)
        {
            // Upstream spells this path with a capital L.
            var path = SpecPath.Child("LoadBalancerSourceRanges");
            if (spec.Type != "LoadBalancer")
            {
                yield return FieldErrors.Forbidden(path, onlyLoadBalancer);
            }

            for (var i = 0; i < ranges.Count; i++)
            {
                foreach (var error in IpAddresses.CheckCidr(path.Index(i), (ranges[i] ?? "").Trim()))
                {
                    yield return error;
                }
            }
        }

        if (spec.AllocateLoadBalancerNodePorts is not null && spec.Type != "LoadBalancer")
        {
            yield return FieldErrors.Forbidden(SpecPath.Child("allocateLoadBalancerNodePorts"), onlyLoadBalancer);
        }

        if (spec.Type == "LoadBalancer" && spec.AllocateLoadBalancerNodePorts is null)
        {
            yield return FieldErrors.Required(FieldPath.Root("allocateLoadBalancerNodePorts"));
        }
    }

    private static IEnumerable<FieldError> TrafficPolicy(V1ServiceSpec spec)
    {
        var external = SpecPath.Child("externalTrafficPolicy");
        if (!ServiceTypes.ExternallyAccessible(spec))
        {
            if (!string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
            {
                yield return FieldErrors.Invalid(external, spec.ExternalTrafficPolicy, "may only be set for externally-accessible services");
            }
        }
        else
        {
            foreach (var error in ContainerValidation.OneOf(spec.ExternalTrafficPolicy, TrafficPolicies, external))
            {
                yield return error;
            }
        }

        var healthCheck = spec.HealthCheckNodePort ?? 0;
        if (!ServiceTypes.NeedsHealthCheck(spec) && healthCheck != 0)
        {
            yield return FieldErrors.Invalid(SpecPath.Child("healthCheckNodePort"), healthCheck, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
        }
        else if (healthCheck != 0)
        {
            foreach (var message in Ports.CheckNumber(healthCheck))
            {
                yield return FieldErrors.Invalid(SpecPath.Child("healthCheckNodePort"), healthCheck, message);
            }
        }

        var internalPath = SpecPath.Child("internalTrafficPolicy");
        if (spec.InternalTrafficPolicy is null)
        {
            if (spec.Type is "ClusterIP" or "NodePort" or "LoadBalancer")
            {
                yield return FieldErrors.Required(internalPath);
            }
        }
        else if (!TrafficPolicies.Contains(spec.InternalTrafficPolicy))
        {
            yield return FieldErrors.NotSupported(internalPath, spec.InternalTrafficPolicy, TrafficPolicies);
        }

        if (spec.TrafficDistribution is not null && spec.TrafficDistribution != "PreferClose")
        {
            yield return FieldErrors.NotSupported(SpecPath.Child("trafficDistribution"), spec.TrafficDistribution, ["PreferClose"]);
        }
    }
}
