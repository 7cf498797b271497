using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Deployments;

/// <summary>
/// Deployments (pkg/registry/apps/deployment): the generation counts spec and annotation changes (annotations are
/// copied to ReplicaSets), the selector is immutable, a status update keeps spec and labels.
/// </summary>
internal sealed class DeploymentStrategy : ResourceStrategy<V1Deployment>
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");

    /// <inheritdoc />
    public override bool TracksGeneration => true;

    /// <inheritdoc />
    protected override void PrepareForCreate(V1Deployment item) => item.Status = new V1DeploymentStatus();

    /// <inheritdoc />
    protected override void PrepareForStatusUpdate(V1Deployment item, V1Deployment old)
    {
        item.Spec = old.Spec;
        item.Metadata ??= new V1ObjectMeta();
        item.Metadata.Labels = old.Metadata?.Labels;
    }

    /// <inheritdoc />
    protected override void Default(V1Deployment item) => DeploymentDefaults.Apply(item);

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Deployment item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain)
            .Concat(DeploymentValidation.Spec(item.Spec))
            .ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Deployment item, V1Deployment old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(DeploymentValidation.Spec(item.Spec))
            .Concat(WorkloadValidation.ImmutableSelector(item.Spec?.Selector, old.Spec?.Selector, Spec))
            .Concat(DeploymentValidation.Status(item.Status, old.Status))
            .Distinct()
            .ToList();

    /// <inheritdoc />
    protected override bool SpecChanged(V1Deployment item, V1Deployment old) =>
        !JsonEquality.Same(item.Spec, old.Spec) || !JsonEquality.Same(item.Metadata?.Annotations, old.Metadata?.Annotations);
}
