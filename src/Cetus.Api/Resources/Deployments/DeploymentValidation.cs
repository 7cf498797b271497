using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Deployments;

/// <summary>A Deployment's spec and status (apps/validation).</summary>
internal static class DeploymentValidation
{
    private static readonly FieldPath SpecPath = FieldPath.Root("spec");

    public static IEnumerable<FieldError> Spec(V1DeploymentSpec? spec)
    {
        spec ??= new V1DeploymentSpec();
        var errors = new List<FieldError>();
        errors.AddRange(FieldErrors.NonNegative(spec.Replicas ?? 0, SpecPath.Child("replicas")));
        errors.AddRange(WorkloadValidation.SelectorAndTemplate(spec.Selector, spec.Template, SpecPath));
        errors.AddRange(Strategy(spec.Strategy, SpecPath.Child("strategy")));
        errors.AddRange(FieldErrors.NonNegative(spec.MinReadySeconds ?? 0, SpecPath.Child("minReadySeconds")));
        if (spec.RevisionHistoryLimit is { } limit)
        {
            errors.AddRange(FieldErrors.NonNegative(limit, SpecPath.Child("revisionHistoryLimit")));
        }

        if (spec.ProgressDeadlineSeconds is { } deadline)
        {
            errors.AddRange(FieldErrors.NonNegative(deadline, SpecPath.Child("progressDeadlineSeconds")));
            if (deadline <= (spec.MinReadySeconds ?? 0))
            {
                errors.Add(FieldErrors.Invalid(SpecPath.Child("progressDeadlineSeconds"), deadline, "must be greater than minReadySeconds"));
            }
        }

        return errors;
    }

    public static IEnumerable<FieldError> Status(V1DeploymentStatus? status, V1DeploymentStatus? old)
    {
        status ??= new V1DeploymentStatus();
        var path = FieldPath.Root("status");
        var errors = FieldErrors.NonNegative(status.ObservedGeneration ?? 0, path.Child("observedGeneration")).ToList();
        errors.AddRange(WorkloadValidation.ReplicaCounts(path, status.Replicas ?? 0,
            ("updatedReplicas", status.UpdatedReplicas ?? 0, true),
            ("readyReplicas", status.ReadyReplicas ?? 0, true),
            ("availableReplicas", status.AvailableReplicas ?? 0, true),
            ("unavailableReplicas", status.UnavailableReplicas ?? 0, false)));
        if (status.CollisionCount is { } collisions)
        {
            errors.AddRange(FieldErrors.NonNegative(collisions, path.Child("collisionCount")));
        }

        if (old?.CollisionCount is { } previous && (status.CollisionCount ?? 0) < previous)
        {
            errors.Add(FieldErrors.Invalid(path.Child("collisionCount"), status.CollisionCount ?? 0, "cannot be decremented"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Strategy(V1DeploymentStrategy? strategy, FieldPath path)
    {
        switch (strategy?.Type)
        {
            case "Recreate":
                if (strategy.RollingUpdate is not null)
                {
                    yield return FieldErrors.Forbidden(path.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'");
                }

                break;
            case "RollingUpdate":
                if (strategy.RollingUpdate is null)
                {
                    yield return FieldErrors.Required(path.Child("rollingUpdate"), "this should be defaulted and never be nil");
                    break;
                }

                foreach (var error in RollingUpdate(strategy.RollingUpdate, path.Child("rollingUpdate")))
                {
                    yield return error;
                }

                break;
            default:
                var rolling = strategy?.RollingUpdate is null ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(0xc000000000)";
                yield return FieldErrors.NotSupported(path, new GoLiteral($"apps.DeploymentStrategy{{Type:{GoText.Quote(strategy?.Type ?? "")}, RollingUpdate:{rolling}}}"), ["Recreate", "RollingUpdate"]);
                break;
        }
    }

    private static IEnumerable<FieldError> RollingUpdate(V1RollingUpdateDeployment rolling, FieldPath path)
    {
        var errors = new List<FieldError>();
        errors.AddRange(IntOrStrings.PositiveIntOrPercent(rolling.MaxUnavailable, path.Child("maxUnavailable")));
        errors.AddRange(IntOrStrings.PositiveIntOrPercent(rolling.MaxSurge, path.Child("maxSurge")));
        if (IntOrStrings.ValueOrPercent(rolling.MaxUnavailable) == 0 && IntOrStrings.ValueOrPercent(rolling.MaxSurge) == 0)
        {
            errors.Add(FieldErrors.Invalid(path.Child("maxUnavailable"), IntOrStrings.GoSyntax(rolling.MaxUnavailable), "may not be 0 when `maxSurge` is 0"));
        }

        errors.AddRange(IntOrStrings.NotMoreThan100Percent(rolling.MaxUnavailable, path.Child("maxUnavailable")));
        return errors;
    }
}
