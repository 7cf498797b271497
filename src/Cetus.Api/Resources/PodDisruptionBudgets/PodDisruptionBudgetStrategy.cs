using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.PodDisruptionBudgets;

/// <summary>
/// policy/v1 PodDisruptionBudgets (pkg/registry/policy/poddisruptionbudget): the status is the disruption
/// controller's (empty on create), the generation counts spec changes, and the spec may change after creation.
/// </summary>
internal sealed class PodDisruptionBudgetStrategy : ResourceStrategy<V1PodDisruptionBudget>
{
    /// <inheritdoc />
    public override bool TracksGeneration => true;

    /// <inheritdoc />
    protected override void PrepareForCreate(V1PodDisruptionBudget item) => item.Status = Empty();

    /// <summary>An empty status as Go writes it: the four counts have no omitempty, so they are there as 0.</summary>
    public static V1PodDisruptionBudgetStatus Empty() =>
        new() { DisruptionsAllowed = 0, CurrentHealthy = 0, DesiredHealthy = 0, ExpectedPods = 0 };

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1PodDisruptionBudget item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain)
            .Concat(PodDisruptionBudgetValidation.Spec(item.Spec))
            .ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1PodDisruptionBudget item, V1PodDisruptionBudget old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(PodDisruptionBudgetValidation.Spec(item.Spec))
            .Concat(PodDisruptionBudgetValidation.Status(item.Status))
            .ToList();

    /// <inheritdoc />
    protected override bool SpecChanged(V1PodDisruptionBudget item, V1PodDisruptionBudget old) => !JsonEquality.Same(item.Spec, old.Spec);
}
