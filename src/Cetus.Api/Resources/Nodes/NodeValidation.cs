using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Nodes;

/// <summary>A node's taints, pod CIDRs and resource quantities (ValidateNode, ValidateNodeUpdate).</summary>
internal static class NodeValidation
{
    private static readonly FieldPath SpecPath = FieldPath.Root("spec");

    public static IEnumerable<FieldError> Node(V1Node node)
    {
        var errors = ObjectMetaValidation.ValidateCreate(node.Metadata, namespaced: false, NameValidators.DnsSubdomain).ToList();

        // Upstream puts taint errors under metadata (its path bug); kept so messages match kube-apiserver's.
        errors.AddRange(Taints(node.Spec?.Taints, FieldPath.Root("metadata").Child("taints")));
        errors.AddRange(Resources(node.Status));
        var cidrs = node.Spec?.PodCIDRs ?? [];
        var path = SpecPath.Child("podCIDRs");
        for (var i = 0; i < cidrs.Count; i++)
        {
            errors.AddRange(IpAddresses.CheckCidr(path.Index(i), cidrs[i] ?? ""));
        }

        if (cidrs.Count > 1)
        {
            var families = cidrs.Select(c => IpAddresses.IsIPv6((c ?? "").Split('/')[0])).ToList();
            if (cidrs.Count > 2 || families[0] == families[1])
            {
                errors.Add(FieldErrors.Invalid(path, GoSyntax.StringSlice(cidrs), "may specify no more than one CIDR for each IP family"));
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < cidrs.Count; i++)
            {
                if (!seen.Add(cidrs[i] ?? ""))
                {
                    errors.Add(FieldErrors.Duplicate(path.Index(i), cidrs[i] ?? ""));
                }
            }
        }

        return errors;
    }

    /// <summary>What may not change: pod CIDRs and provider ID once set, the external ID ever; no duplicate addresses.</summary>
    public static IEnumerable<FieldError> Update(V1Node node, V1Node old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(node.Metadata, old.Metadata).ToList();
        errors.AddRange(Resources(node.Status));
        var addresses = new HashSet<(string?, string?)>();
        for (var i = 0; i < (node.Status?.Addresses?.Count ?? 0); i++)
        {
            var address = node.Status!.Addresses![i];
            if (!addresses.Add((address.Type, address.Address)))
            {
                errors.Add(FieldErrors.Duplicate(FieldPath.Root("status").Child("addresses").Index(i),
                    new GoLiteral($"core.NodeAddress{{Type:{GoText.Quote(address.Type ?? "")}, Address:{GoText.Quote(address.Address ?? "")}}}")));
            }
        }

        var cidrs = node.Spec?.PodCIDRs ?? [];
        var previous = old.Spec?.PodCIDRs ?? [];
        if (previous.Count > 0 && !cidrs.SequenceEqual(previous))
        {
            var changes = cidrs.Count != previous.Count ? 1 : previous.Where((c, i) => c != cidrs[i]).Count();
            for (var i = 0; i < changes; i++)
            {
                errors.Add(FieldErrors.Forbidden(SpecPath.Child("podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"));
            }
        }

        if (!string.IsNullOrEmpty(old.Spec?.ProviderID) && old.Spec.ProviderID != node.Spec?.ProviderID)
        {
            errors.Add(FieldErrors.Forbidden(SpecPath.Child("providerID"), "node updates may not change providerID except from \"\" to valid"));
        }

        errors.AddRange(Taints(node.Spec?.Taints, FieldPath.Root("metadata").Child("taints")));
        if ((node.Spec?.ExternalID ?? "") != (old.Spec?.ExternalID ?? ""))
        {
            errors.Add(FieldErrors.Forbidden(SpecPath.Child("externalID"), "may not be updated"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Taints(IList<V1Taint>? taints, FieldPath path)
    {
        var errors = new List<FieldError>();
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < (taints?.Count ?? 0); i++)
        {
            var taint = taints![i];
            var itemPath = path.Index(i);
            errors.AddRange(LabelValidation.LabelName(taint.Key ?? "", itemPath.Child("key")));
            var messages = QualifiedNames.IsLabelValue(taint.Value ?? "");
            if (messages.Count > 0)
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("value"), taint.Value ?? "", string.Join(";", messages)));
            }

            errors.AddRange(TolerationValidation.Effect(taint.Effect ?? "", allowEmpty: false, itemPath.Child("effect")));
            if (!seen.Add((taint.Key ?? "", taint.Effect ?? "")))
            {
                var value = new GoLiteral($"core.Taint{{Key:{GoText.Quote(taint.Key ?? "")}, Value:{GoText.Quote(taint.Value ?? "")}, Effect:{GoText.Quote(taint.Effect ?? "")}, TimeAdded:(*v1.Time)(nil)}}");
                errors.Add(FieldErrors.Duplicate(itemPath, value, "taints must be unique by key and effect pair"));
            }
        }

        return errors;
    }

    private static IEnumerable<FieldError> Resources(V1NodeStatus? status)
    {
        foreach (var (field, list) in new[] { ("capacity", status?.Capacity), ("allocatable", status?.Allocatable) })
        {
            foreach (var (name, quantity) in (list ?? new Dictionary<string, ResourceQuantity>()).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                // Upstream builds this path with Child, not Key: status.capacity.cpu.
                foreach (var error in ResourceRequirementsValidation.QuantityValue(name, quantity, FieldPath.Root("status").Child(field, name)))
                {
                    yield return error;
                }
            }
        }
    }
}
