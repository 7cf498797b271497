using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.ServiceAccounts;

/// <summary>ServiceAccounts (pkg/registry/core/serviceaccount): only their metadata is validated; the name is a DNS subdomain.</summary>
internal sealed class ServiceAccountStrategy : ResourceStrategy<V1ServiceAccount>
{
    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1ServiceAccount item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1ServiceAccount item, V1ServiceAccount old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain))
            .Distinct()
            .ToList();
}
