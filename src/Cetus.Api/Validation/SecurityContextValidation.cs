using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>User and group IDs in pod and container security contexts (the Linux ranges Kubernetes allows).</summary>
internal static class SecurityContextValidation
{
    private const long MaxId = 0xffffffff;

    public static IEnumerable<FieldError> Pod(V1PodSecurityContext? context, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (context is null)
        {
            return errors;
        }

        errors.AddRange(Id(context.FsGroup, path.Child("fsGroup")));
        errors.AddRange(Id(context.RunAsUser, path.Child("runAsUser")));
        errors.AddRange(Id(context.RunAsGroup, path.Child("runAsGroup")));
        for (var i = 0; i < (context.SupplementalGroups?.Count ?? 0); i++)
        {
            errors.AddRange(Id(context.SupplementalGroups![i], path.Child("supplementalGroups").Index(i)));
        }

        return errors;
    }

    public static IEnumerable<FieldError> Container(V1SecurityContext? context, FieldPath path) =>
        context is null ? [] : Id(context.RunAsUser, path.Child("runAsUser")).Concat(Id(context.RunAsGroup, path.Child("runAsGroup")));

    private static IEnumerable<FieldError> Id(long? id, FieldPath path)
    {
        if (id is < 0 or > MaxId)
        {
            yield return FieldErrors.Invalid(path, id.Value, ValidationText.InclusiveRange(0, MaxId));
        }
    }
}
