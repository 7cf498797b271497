using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Endpoints;

/// <summary>
/// Endpoints (pkg/registry/core/endpoint): ports default to TCP; each subset has addresses that are real, routable
/// IPs, and named ports when it has several.
/// </summary>
internal sealed class EndpointsStrategy : ResourceStrategy<V1Endpoints>
{
    private static readonly FieldPath Subsets = FieldPath.Root("subsets");

    /// <inheritdoc />
    protected override void Default(V1Endpoints item)
    {
        foreach (var port in (item.Subsets ?? []).SelectMany(s => s.Ports ?? []))
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Endpoints item) => Validate(item).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Endpoints item, V1Endpoints old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).Concat(Validate(item)).Distinct().ToList();

    private static IEnumerable<FieldError> Validate(V1Endpoints item)
    {
        var errors = ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();
        for (var i = 0; i < (item.Subsets?.Count ?? 0); i++)
        {
            var subset = item.Subsets![i];
            var path = Subsets.Index(i);
            if ((subset.Addresses?.Count ?? 0) == 0 && (subset.NotReadyAddresses?.Count ?? 0) == 0)
            {
                errors.Add(FieldErrors.Required(path, "must specify `addresses` or `notReadyAddresses`"));
            }

            for (var a = 0; a < (subset.Addresses?.Count ?? 0); a++)
            {
                errors.AddRange(Address(subset.Addresses![a], path.Child("addresses").Index(a)));
            }

            for (var a = 0; a < (subset.NotReadyAddresses?.Count ?? 0); a++)
            {
                errors.AddRange(Address(subset.NotReadyAddresses![a], path.Child("notReadyAddresses").Index(a)));
            }

            for (var p = 0; p < (subset.Ports?.Count ?? 0); p++)
            {
                errors.AddRange(Port(subset.Ports![p], subset.Ports.Count > 1, path.Child("ports").Index(p)));
            }
        }

        return errors;
    }

    private static IEnumerable<FieldError> Address(V1EndpointAddress address, FieldPath path)
    {
        var errors = IpAddresses.CheckIp(path.Child("ip"), address.Ip ?? "").ToList();
        if (!string.IsNullOrEmpty(address.Hostname))
        {
            errors.AddRange(DnsNames.IsDns1123Label(address.Hostname).Select(m => FieldErrors.Invalid(path.Child("hostname"), address.Hostname, m)));
        }

        if (address.NodeName is not null)
        {
            errors.AddRange(NameValidators.DnsSubdomain(address.NodeName, false).Select(m => FieldErrors.Invalid(path.Child("nodeName"), address.NodeName, m)));
        }

        errors.AddRange(IpAddresses.CheckNonSpecial(path.Child("ip"), address.Ip ?? ""));
        return errors;
    }

    private static IEnumerable<FieldError> Port(Corev1EndpointPort port, bool requireName, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (requireName && string.IsNullOrEmpty(port.Name))
        {
            errors.Add(FieldErrors.Required(path.Child("name")));
        }
        else if (!string.IsNullOrEmpty(port.Name))
        {
            errors.AddRange(DnsNames.IsDns1123Label(port.Name).Select(m => FieldErrors.Invalid(path.Child("name"), port.Name, m)));
        }

        errors.AddRange(Ports.CheckNumber(port.Port).Select(m => FieldErrors.Invalid(path.Child("port"), port.Port, m)));
        errors.AddRange(ContainerPortValidation.Protocol(port.Protocol, path.Child("protocol")));
        if (port.AppProtocol is not null)
        {
            errors.AddRange(QualifiedNames.IsQualifiedName(port.AppProtocol).Select(m => FieldErrors.Invalid(path.Child("appProtocol"), port.AppProtocol, m)));
        }

        return errors;
    }
}
