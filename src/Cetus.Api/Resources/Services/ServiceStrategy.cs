using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>
/// Services (pkg/registry/core/service): defaults, validation, and on update the allocated cluster IPs and node
/// ports a client left out are kept (patchAllocatedValues), so that re-applying a manifest does not try to change them.
/// Allocating them is the API server's.
/// </summary>
internal sealed class ServiceStrategy : ResourceStrategy<V1Service>
{
    /// <inheritdoc />
    protected override void PrepareForCreate(V1Service item) =>
        item.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() };

    /// <inheritdoc />
    protected override void PrepareForUpdate(V1Service item, V1Service old)
    {
        base.PrepareForUpdate(item, old);
        var spec = item.Spec ??= new V1ServiceSpec();
        var previous = old.Spec ?? new V1ServiceSpec();
        if (NeedsClusterIP(spec) && NeedsClusterIP(previous))
        {
            if (string.IsNullOrEmpty(spec.ClusterIP))
            {
                spec.ClusterIP = previous.ClusterIP;
            }

            if ((spec.ClusterIPs?.Count ?? 0) == 0 && (previous.ClusterIPs?.Count ?? 0) > 0)
            {
                spec.ClusterIPs = [.. previous.ClusterIPs!];
            }
        }

        if (NeedsNodePort(spec) && NeedsNodePort(previous))
        {
            var kept = (spec.Ports ?? []).Select(p => p.NodePort ?? 0).Where(p => p != 0).ToHashSet();
            var byName = (previous.Ports ?? []).GroupBy(p => p.Name ?? "").ToDictionary(g => g.Key, g => g.Last().NodePort ?? 0, StringComparer.Ordinal);
            foreach (var port in spec.Ports ?? [])
            {
                if (port.NodePort is null or 0 && byName.TryGetValue(port.Name ?? "", out var nodePort) && nodePort != 0 && !kept.Contains(nodePort))
                {
                    port.NodePort = nodePort;
                }
            }
        }

        if (ServiceTypes.NeedsHealthCheck(spec) && ServiceTypes.NeedsHealthCheck(previous) && spec.HealthCheckNodePort is null or 0)
        {
            spec.HealthCheckNodePort = previous.HealthCheckNodePort;
        }
    }

    /// <inheritdoc />
    protected override void Default(V1Service item) => ServiceDefaults.Apply(item);

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Service item) => ServiceValidation.Validate(item).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Service item, V1Service old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(ServiceUpdateValidation.Validate(item.Spec ?? new V1ServiceSpec(), old.Spec ?? new V1ServiceSpec()))
            .Concat(ServiceValidation.Validate(item))
            .Distinct()
            .ToList();

    /// <inheritdoc />
    protected override void AddSelectableFields(V1Service item, Dictionary<string, string> fields)
    {
        fields["spec.clusterIP"] = item.Spec?.ClusterIP ?? "";
        fields["spec.type"] = item.Spec?.Type ?? "";
    }

    private static bool NeedsClusterIP(V1ServiceSpec spec) => spec.Type != "ExternalName";

    private static bool NeedsNodePort(V1ServiceSpec spec) => spec.Type is "NodePort" or "LoadBalancer";
}
