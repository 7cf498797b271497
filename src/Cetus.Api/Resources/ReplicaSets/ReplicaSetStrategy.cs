using System.Globalization;
using Cetus.Api.Resources.Pods;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.ReplicaSets;

/// <summary>
/// ReplicaSets (pkg/registry/apps/replicaset): replicas default to 1, the selector is immutable, the generation counts
/// spec changes, status.replicas is a selectable field.
/// </summary>
internal sealed class ReplicaSetStrategy : ResourceStrategy<V1ReplicaSet>
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");

    /// <inheritdoc />
    public override bool TracksGeneration => true;

    /// <inheritdoc />
    protected override void PrepareForCreate(V1ReplicaSet item) => item.Status = new V1ReplicaSetStatus();

    /// <inheritdoc />
    protected override void Default(V1ReplicaSet item)
    {
        var spec = item.Spec ??= new V1ReplicaSetSpec();
        spec.Replicas ??= 1;
        spec.Template ??= new V1PodTemplateSpec();
        PodSpecDefaults.Apply(spec.Template.Spec ??= new V1PodSpec());
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1ReplicaSet item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain)
            .Concat(SpecErrors(item.Spec))
            .ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1ReplicaSet item, V1ReplicaSet old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(SpecErrors(item.Spec))
            .Concat(WorkloadValidation.ImmutableSelector(item.Spec?.Selector, old.Spec?.Selector, Spec))
            .Concat(StatusErrors(item.Status))
            .Distinct()
            .ToList();

    /// <inheritdoc />
    protected override bool SpecChanged(V1ReplicaSet item, V1ReplicaSet old) => !JsonEquality.Same(item.Spec, old.Spec);

    /// <inheritdoc />
    protected override void AddSelectableFields(V1ReplicaSet item, Dictionary<string, string> fields) =>
        fields["status.replicas"] = (item.Status?.Replicas ?? 0).ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<FieldError> SpecErrors(V1ReplicaSetSpec? spec)
    {
        spec ??= new V1ReplicaSetSpec();
        return FieldErrors.NonNegative(spec.Replicas ?? 0, Spec.Child("replicas"))
            .Concat(FieldErrors.NonNegative(spec.MinReadySeconds ?? 0, Spec.Child("minReadySeconds")))
            .Concat(WorkloadValidation.SelectorAndTemplate(spec.Selector, spec.Template, Spec));
    }

    private static IEnumerable<FieldError> StatusErrors(V1ReplicaSetStatus? status)
    {
        status ??= new V1ReplicaSetStatus();
        var path = FieldPath.Root("status");
        return WorkloadValidation.ReplicaCounts(path, status.Replicas,
                ("fullyLabeledReplicas", status.FullyLabeledReplicas ?? 0, true),
                ("readyReplicas", status.ReadyReplicas ?? 0, true),
                ("availableReplicas", status.AvailableReplicas ?? 0, true))
            .Concat(FieldErrors.NonNegative(status.ObservedGeneration ?? 0, path.Child("observedGeneration")));
    }
}
