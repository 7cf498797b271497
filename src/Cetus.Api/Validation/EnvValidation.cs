using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>A container's env and envFrom: names, and exactly one source for each valueFrom.</summary>
internal static class EnvValidation
{
    /// <summary>The pod fields an env var's fieldRef may name (besides subscripted labels and annotations).</summary>
    public static readonly IReadOnlyList<string> EnvFieldPaths =
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    /// <summary>The container resources an env var's resourceFieldRef may name.</summary>
    public static readonly IReadOnlyList<string> ResourceFieldPaths =
    [
        "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory",
    ];

    private static readonly HashSet<string> ConvertibleFieldPaths = new(StringComparer.Ordinal)
    {
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
        "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    };

    public static IEnumerable<FieldError> Env(IList<V1EnvVar>? vars, FieldPath path)
    {
        var errors = new List<FieldError>();
        for (var i = 0; i < (vars?.Count ?? 0); i++)
        {
            var variable = vars![i];
            var itemPath = path.Index(i);
            if (string.IsNullOrEmpty(variable.Name))
            {
                errors.Add(FieldErrors.Required(itemPath.Child("name")));
            }
            else
            {
                errors.AddRange(EnvVarNames.Check(variable.Name).Select(m => FieldErrors.Invalid(itemPath.Child("name"), variable.Name, m)));
            }

            errors.AddRange(ValueFrom(variable, itemPath.Child("valueFrom")));
        }

        return errors;
    }

    public static IEnumerable<FieldError> EnvFrom(IList<V1EnvFromSource>? sources, FieldPath path)
    {
        var errors = new List<FieldError>();
        for (var i = 0; i < (sources?.Count ?? 0); i++)
        {
            var source = sources![i];
            var itemPath = path.Index(i);
            if (!string.IsNullOrEmpty(source.Prefix))
            {
                errors.AddRange(EnvVarNames.Check(source.Prefix).Select(m => FieldErrors.Invalid(itemPath.Child("prefix"), source.Prefix, m)));
            }

            var count = 0;
            if (source.ConfigMapRef is not null)
            {
                count++;
                errors.AddRange(ReferencedName(source.ConfigMapRef.Name, itemPath.Child("configMapRef", "name"), prefix: true));
            }

            if (source.SecretRef is not null)
            {
                count++;
                errors.AddRange(ReferencedName(source.SecretRef.Name, itemPath.Child("secretRef", "name"), prefix: true));
            }

            if (count == 0)
            {
                errors.Add(FieldErrors.Invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
            }
            else if (count > 1)
            {
                errors.Add(FieldErrors.Invalid(path, "", "may not have more than one field specified at a time"));
            }
        }

        return errors;
    }

    private static IEnumerable<FieldError> ValueFrom(V1EnvVar variable, FieldPath path)
    {
        var source = variable.ValueFrom;
        var errors = new List<FieldError>();
        if (source is null)
        {
            return errors;
        }

        var count = 0;
        if (source.FieldRef is not null)
        {
            count++;
            errors.AddRange(FieldRef(source.FieldRef, path.Child("fieldRef")));
        }

        if (source.ResourceFieldRef is not null)
        {
            count++;
            errors.AddRange(ResourceFieldRef(source.ResourceFieldRef, path.Child("resourceFieldRef")));
        }

        if (source.ConfigMapKeyRef is not null)
        {
            count++;
            errors.AddRange(KeyRef(source.ConfigMapKeyRef.Name, source.ConfigMapKeyRef.Key, path.Child("configMapKeyRef")));
        }

        if (source.SecretKeyRef is not null)
        {
            count++;
            errors.AddRange(KeyRef(source.SecretKeyRef.Name, source.SecretKeyRef.Key, path.Child("secretKeyRef")));
        }

        if (count == 0)
        {
            errors.Add(FieldErrors.Invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
        }
        else if (!string.IsNullOrEmpty(variable.Value))
        {
            errors.Add(FieldErrors.Invalid(path, "", "may not be specified when `value` is not empty"));
        }
        else if (count > 1)
        {
            errors.Add(FieldErrors.Invalid(path, "", "may not have more than one field specified at a time"));
        }

        return errors;
    }

    /// <summary>An ObjectFieldSelector (env fieldRef or downward API file).</summary>
    public static IEnumerable<FieldError> FieldRef(V1ObjectFieldSelector selector, FieldPath path, IReadOnlyList<string>? allowed = null)
    {
        allowed ??= EnvFieldPaths;
        if (string.IsNullOrEmpty(selector.ApiVersion))
        {
            yield return FieldErrors.Required(path.Child("apiVersion"));
            yield break;
        }

        var fieldPath = selector.FieldPath ?? "";
        if (fieldPath.Length == 0)
        {
            yield return FieldErrors.Required(path.Child("fieldPath"));
            yield break;
        }

        var bracket = fieldPath.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0 && fieldPath.EndsWith("']", StringComparison.Ordinal) && fieldPath[bracket..].StartsWith("['", StringComparison.Ordinal))
        {
            var field = fieldPath[..bracket];
            var subscript = fieldPath[(bracket + 2)..^2];
            var keyErrors = field switch
            {
                "metadata.annotations" => QualifiedNames.IsQualifiedName(subscript.ToLowerInvariant()).Select(m => FieldErrors.Invalid(path, subscript.ToLowerInvariant(), m)),
                "metadata.labels" => QualifiedNames.IsQualifiedName(subscript).Select(m => FieldErrors.Invalid(path, subscript, m)),
                _ => null,
            };
            if (keyErrors is null)
            {
                yield return FieldErrors.Invalid(path.Child("fieldPath"), fieldPath, "error converting fieldPath: field label does not support subscript: " + fieldPath);
                yield break;
            }

            foreach (var error in keyErrors)
            {
                yield return error;
            }

            yield break;
        }

        if (!ConvertibleFieldPaths.Contains(fieldPath))
        {
            yield return FieldErrors.Invalid(path.Child("fieldPath"), fieldPath, "error converting fieldPath: field label not supported: " + fieldPath);
        }
        else if (!allowed.Contains(fieldPath))
        {
            yield return FieldErrors.NotSupported(path.Child("fieldPath"), fieldPath, allowed);
        }
    }

    private static IEnumerable<FieldError> ResourceFieldRef(V1ResourceFieldSelector selector, FieldPath path)
    {
        var resource = selector.Resource ?? "";
        if (resource.Length == 0)
        {
            yield return FieldErrors.Required(path.Child("resource"));
        }
        else if (!ResourceFieldPaths.Contains(resource) &&
            !resource.StartsWith("requests.hugepages-", StringComparison.Ordinal) && !resource.StartsWith("limits.hugepages-", StringComparison.Ordinal))
        {
            yield return FieldErrors.NotSupported(path.Child("resource"), resource, ResourceFieldPaths);
        }
    }

    private static IEnumerable<FieldError> KeyRef(string? name, string? key, FieldPath path)
    {
        foreach (var message in NameValidators.DnsSubdomain(name ?? "", false))
        {
            yield return FieldErrors.Invalid(path.Child("name"), name ?? "", message);
        }

        if (string.IsNullOrEmpty(key))
        {
            yield return FieldErrors.Required(path.Child("key"));
        }
        else
        {
            foreach (var message in ConfigMapKeys.Check(key))
            {
                yield return FieldErrors.Invalid(path.Child("key"), key, message);
            }
        }
    }

    private static IEnumerable<FieldError> ReferencedName(string? name, FieldPath path, bool prefix)
    {
        if (string.IsNullOrEmpty(name))
        {
            return [FieldErrors.Required(path)];
        }

        return NameValidators.DnsSubdomain(name, prefix).Select(m => FieldErrors.Invalid(path, name, m));
    }
}
