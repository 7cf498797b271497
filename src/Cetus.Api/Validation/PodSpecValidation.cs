using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// A pod spec, in a pod or in a template (<c>ValidatePodSpec</c>). Affinity, topology spread, DNS options, resource
/// claims, OS-specific and Windows fields are not checked.
/// </summary>
internal static class PodSpecValidation
{
    /// <summary>The pod restart policies, in the order Kubernetes lists them.</summary>
    public static readonly IReadOnlyList<string> RestartPolicies = ["Always", "OnFailure", "Never"];

    private static readonly IReadOnlyList<string> DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    private static readonly IReadOnlyList<string> PreemptionPolicies = ["PreemptLowerPriority", "Never"];

    /// <param name="spec">The spec.</param>
    /// <param name="path">Its path (<c>spec</c>, or <c>spec.template.spec</c>).</param>
    /// <param name="isPod">True for a pod itself: host ports must then equal container ports under hostNetwork.</param>
    public static IEnumerable<FieldError> Spec(V1PodSpec? spec, FieldPath path, bool isPod)
    {
        spec ??= new V1PodSpec();
        var errors = new List<FieldError>();
        if (spec.TerminationGracePeriodSeconds is null)
        {
            errors.Add(FieldErrors.Required(path.Child("terminationGracePeriodSeconds")));
        }

        var grace = spec.TerminationGracePeriodSeconds;
        errors.AddRange(VolumeValidation.Volumes(spec.Volumes, path.Child("volumes"), out var volumes));
        errors.AddRange(ContainerValidation.Containers(spec.Containers, volumes, grace, path.Child("containers")));
        errors.AddRange(ContainerValidation.InitContainers(spec.InitContainers, spec.Containers, volumes, grace, path.Child("initContainers")));
        errors.AddRange(HostNetworkPorts(spec, path, isPod));
        errors.AddRange(ContainerValidation.OneOf(spec.RestartPolicy, RestartPolicies, path.Child("restartPolicy")));
        errors.AddRange(ContainerValidation.OneOf(spec.DnsPolicy, DnsPolicies, path.Child("dnsPolicy")));
        errors.AddRange(LabelValidation.Labels(spec.NodeSelector, path.Child("nodeSelector")));
        errors.AddRange(SecurityContextValidation.Pod(spec.SecurityContext, path.Child("securityContext")));
        if (spec.ShareProcessNamespace == true && spec.HostPID == true)
        {
            errors.Add(FieldErrors.Invalid(path.Child("securityContext", "shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
        }

        errors.AddRange(DnsConfig(spec, path.Child("dnsConfig")));
        for (var i = 0; i < (spec.ReadinessGates?.Count ?? 0); i++)
        {
            var type = spec.ReadinessGates![i].ConditionType ?? "";
            errors.AddRange(QualifiedNames.IsQualifiedName(type).Select(m => FieldErrors.Invalid(path.Child("readinessGates").Index(i).Child("conditionType"), type, m)));
        }

        errors.AddRange(SchedulingGates(spec.SchedulingGates, path.Child("schedulingGates")));
        errors.AddRange(Name(spec.ServiceAccountName, NameValidators.DnsSubdomain, path.Child("serviceAccountName")));
        errors.AddRange(Name(spec.NodeName, NameValidators.DnsSubdomain, path.Child("nodeName")));
        if (spec.ActiveDeadlineSeconds is { } deadline && (deadline < 1 || deadline > int.MaxValue))
        {
            errors.Add(FieldErrors.Invalid(path.Child("activeDeadlineSeconds"), deadline, ValidationText.InclusiveRange(1, int.MaxValue)));
        }

        errors.AddRange(Label(spec.Hostname, path.Child("hostname")));
        errors.AddRange(Label(spec.Subdomain, path.Child("subdomain")));
        errors.AddRange(TolerationValidation.Tolerations(spec.Tolerations, path.Child("tolerations")));
        errors.AddRange(Name(spec.PriorityClassName, NameValidators.DnsSubdomain, path.Child("priorityClassName")));
        if (spec.PreemptionPolicy is not null)
        {
            errors.AddRange(ContainerValidation.OneOf(spec.PreemptionPolicy, PreemptionPolicies, path.Child("preemptionPolicy")));
        }

        return errors;
    }

    // With hostNetwork a container port is the host port: a pod must say so, a template may leave it 0.
    private static IEnumerable<FieldError> HostNetworkPorts(V1PodSpec spec, FieldPath path, bool isPod)
    {
        if (spec.HostNetwork != true)
        {
            yield break;
        }

        for (var c = 0; c < (spec.Containers?.Count ?? 0); c++)
        {
            var ports = spec.Containers![c].Ports ?? [];
            for (var p = 0; p < ports.Count; p++)
            {
                var hostPort = ports[p].HostPort ?? 0;
                if ((isPod || hostPort != 0) && hostPort != ports[p].ContainerPort)
                {
                    yield return FieldErrors.Invalid(path.Child("containers").Index(c).Child("ports").Index(p).Child("hostPort"), hostPort, "must match `containerPort` when `hostNetwork` is true");
                }
            }
        }
    }

    private static IEnumerable<FieldError> DnsConfig(V1PodSpec spec, FieldPath path)
    {
        if (spec.DnsPolicy == "None")
        {
            if (spec.DnsConfig is null)
            {
                yield return FieldErrors.Required(path, "must provide `dnsConfig` when `dnsPolicy` is None");
                yield break;
            }

            if ((spec.DnsConfig.Nameservers?.Count ?? 0) == 0)
            {
                yield return FieldErrors.Required(path.Child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None");
                yield break;
            }
        }

        var nameservers = spec.DnsConfig?.Nameservers ?? [];
        if (nameservers.Count > 3)
        {
            yield return FieldErrors.Invalid(path.Child("nameservers"), GoSyntax.StringSlice(nameservers), "must not have more than 3 nameservers");
        }

        for (var i = 0; i < nameservers.Count; i++)
        {
            foreach (var error in IpAddresses.CheckIp(path.Child("nameservers").Index(i), nameservers[i] ?? ""))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> SchedulingGates(IList<V1PodSchedulingGate>? gates, FieldPath path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (gates?.Count ?? 0); i++)
        {
            var name = gates![i].Name ?? "";
            foreach (var message in QualifiedNames.IsQualifiedName(name))
            {
                yield return FieldErrors.Invalid(path.Index(i), name, message);
            }

            if (!seen.Add(name))
            {
                yield return FieldErrors.Duplicate(path.Index(i), name);
            }
        }
    }

    private static IEnumerable<FieldError> Name(string? value, NameValidator rule, FieldPath path) =>
        string.IsNullOrEmpty(value) ? [] : rule(value, false).Select(m => FieldErrors.Invalid(path, value, m));

    private static IEnumerable<FieldError> Label(string? value, FieldPath path) =>
        string.IsNullOrEmpty(value) ? [] : DnsNames.IsDns1123Label(value).Select(m => FieldErrors.Invalid(path, value, m));
}
