using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.PriorityClasses;

/// <summary>
/// PriorityClasses (pkg/apis/scheduling/validation): user classes at most 1,000,000,000, names with the
/// <c>system-</c> prefix only for the built-in classes, value and preemptionPolicy immutable.
/// </summary>
internal sealed class PriorityClassStrategy : ResourceStrategy<V1PriorityClass>
{
    private static readonly FieldPath Value = FieldPath.Root("value");
    private static readonly FieldPath PreemptionPolicy = FieldPath.Root("preemptionPolicy");

    /// <inheritdoc />
    protected override void Default(V1PriorityClass item) => item.PreemptionPolicy ??= SystemPriorityClasses.PreemptLowerPriority;

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1PriorityClass item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: false, NameValidators.DnsSubdomain).Concat(ClassErrors(item)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1PriorityClass item, V1PriorityClass old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).ToList();
        if (item.Value != old.Value)
        {
            errors.Add(FieldErrors.Forbidden(Value, "may not be changed in an update."));
        }

        if (item.PreemptionPolicy != old.PreemptionPolicy)
        {
            errors.Add(FieldErrors.Immutable(PreemptionPolicy, item.PreemptionPolicy));
        }

        return errors;
    }

    private static IEnumerable<FieldError> ClassErrors(V1PriorityClass item)
    {
        var name = item.Metadata?.Name ?? string.Empty;
        if (name.StartsWith(SystemPriorityClasses.Prefix, StringComparison.Ordinal))
        {
            if (SystemPriorityClasses.IsKnown(name, item.Value ?? 0, item.GlobalDefault ?? false) is { } why)
            {
                yield return FieldErrors.Forbidden(FieldPath.Root("metadata").Child("name"), $"priority class names with '{SystemPriorityClasses.Prefix}' prefix are reserved for system use only. error: {why}");
            }
        }
        else if (item.Value > SystemPriorityClasses.HighestUserDefinablePriority)
        {
            yield return FieldErrors.Forbidden(Value, $"maximum allowed value of a user defined priority is {SystemPriorityClasses.HighestUserDefinablePriority}");
        }

        if (item.PreemptionPolicy is { } policy && policy is not (SystemPriorityClasses.PreemptLowerPriority or SystemPriorityClasses.PreemptNever))
        {
            yield return FieldErrors.NotSupported(PreemptionPolicy, policy, [SystemPriorityClasses.PreemptNever, SystemPriorityClasses.PreemptLowerPriority]);
        }
    }
}
