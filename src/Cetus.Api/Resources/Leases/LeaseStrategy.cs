using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Leases;

/// <summary>Leases (coordination.k8s.io): a positive duration, non-negative transitions, a known strategy.</summary>
internal sealed class LeaseStrategy : ResourceStrategy<V1Lease>
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Lease item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).Concat(SpecErrors(item.Spec)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Lease item, V1Lease old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).Concat(SpecErrors(item.Spec)).ToList();

    private static IEnumerable<FieldError> SpecErrors(V1LeaseSpec? spec)
    {
        if (spec?.LeaseDurationSeconds is <= 0)
        {
            yield return FieldErrors.Invalid(Spec.Child("leaseDurationSeconds"), spec.LeaseDurationSeconds.Value, "must be greater than 0");
        }

        if (spec?.LeaseTransitions is < 0)
        {
            yield return FieldErrors.Invalid(Spec.Child("leaseTransitions"), spec.LeaseTransitions.Value, "must be greater than or equal to 0");
        }

        if (spec?.Strategy is { } strategy)
        {
            // Unprefixed strategies are Kubernetes' own (only OldestEmulationVersion), prefixed ones qualified names;
            // upstream names the field twice, kept for identical messages.
            var path = Spec.Child("strategy").Child("strategy");
            if (!strategy.Contains('/', StringComparison.Ordinal))
            {
                if (strategy != "OldestEmulationVersion")
                {
                    yield return FieldErrors.NotSupported(path, strategy, ["OldestEmulationVersion"]);
                }
            }
            else
            {
                foreach (var message in QualifiedNames.IsQualifiedName(strategy))
                {
                    yield return FieldErrors.Invalid(path, strategy, message);
                }
            }
        }

        if (!string.IsNullOrEmpty(spec?.PreferredHolder) && string.IsNullOrEmpty(spec.Strategy))
        {
            yield return FieldErrors.Forbidden(Spec.Child("preferredHolder"), "may only be specified if `strategy` is defined");
        }
    }
}
