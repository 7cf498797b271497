using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Nodes;

/// <summary>
/// Nodes (pkg/registry/core/node): a kubelet registers its node with a status, so create keeps it; allocatable
/// defaults to capacity; spec.unschedulable is a selectable field.
/// </summary>
internal sealed class NodeStrategy : ResourceStrategy<V1Node>
{
    /// <inheritdoc />
    protected override void PrepareForCreate(V1Node item)
    {
    }

    /// <inheritdoc />
    protected override void Default(V1Node item)
    {
        if (item.Status is { Allocatable: null, Capacity: { } capacity })
        {
            item.Status.Allocatable = capacity.ToDictionary(e => e.Key, e => new ResourceQuantity(e.Value.ToString()), StringComparer.Ordinal);
        }

        // podCIDR is the first of podCIDRs; a client may set either.
        if (item.Spec is { } spec)
        {
            if ((spec.PodCIDRs?.Count ?? 0) == 0 && !string.IsNullOrEmpty(spec.PodCIDR))
            {
                spec.PodCIDRs = [spec.PodCIDR];
            }

            spec.PodCIDR = spec.PodCIDRs?.FirstOrDefault();
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Node item) => NodeValidation.Node(item).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Node item, V1Node old) =>
        NodeValidation.Update(item, old).Concat(NodeValidation.Node(item)).Distinct().ToList();

    /// <inheritdoc />
    protected override void AddSelectableFields(V1Node item, Dictionary<string, string> fields) =>
        fields["spec.unschedulable"] = item.Spec?.Unschedulable == true ? "true" : "false";
}
