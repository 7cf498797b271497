using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Downward API and projected volumes: files from pod fields, secrets, config maps and tokens.</summary>
internal static class ProjectedVolumeValidation
{
    /// <summary>A downwardAPI volume; like upstream, its files' errors are reported at the volume source, not the item.</summary>
    public static IEnumerable<FieldError> DownwardApi(V1DownwardAPIVolumeSource source, FieldPath path)
    {
        var errors = VolumeSourceValidation.Mode(source.DefaultMode, path.Child("defaultMode")).ToList();
        foreach (var file in source.Items ?? [])
        {
            errors.AddRange(DownwardApiFile(file, path));
        }

        return errors;
    }

    private static IEnumerable<FieldError> DownwardApiFile(V1DownwardAPIVolumeFile file, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(file.Path))
        {
            errors.Add(FieldErrors.Required(path.Child("path")));
        }

        errors.AddRange(Paths.LocalNonReserved(file.Path ?? "", path.Child("path")));
        if (file.FieldRef is not null)
        {
            errors.AddRange(EnvValidation.FieldRef(file.FieldRef, path.Child("fieldRef"), ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"]));
            if (file.ResourceFieldRef is not null)
            {
                errors.Add(FieldErrors.Invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
            }
        }
        else if (file.ResourceFieldRef is null)
        {
            errors.Add(FieldErrors.Required(path, "one of fieldRef and resourceFieldRef is required"));
        }

        errors.AddRange(VolumeSourceValidation.Mode(file.Mode, path.Child("mode")));
        return errors;
    }

    /// <summary>A projected volume: each source of exactly one kind.</summary>
    public static IEnumerable<FieldError> Projected(V1ProjectedVolumeSource source, FieldPath path)
    {
        var errors = VolumeSourceValidation.Mode(source.DefaultMode, path.Child("defaultMode")).ToList();
        for (var i = 0; i < (source.Sources?.Count ?? 0); i++)
        {
            var projection = source.Sources![i];
            var sourcePath = path.Child("sources").Index(i);
            var count = 0;
            if (projection.Secret is not null)
            {
                count++;
                if (string.IsNullOrEmpty(projection.Secret.Name))
                {
                    errors.Add(FieldErrors.Required(sourcePath.Child("secret", "name")));
                }

                errors.AddRange(VolumeSourceValidation.Items(projection.Secret.Items, sourcePath.Child("secret", "items")));
            }

            if (projection.ConfigMap is not null)
            {
                count++;
                if (string.IsNullOrEmpty(projection.ConfigMap.Name))
                {
                    errors.Add(FieldErrors.Required(sourcePath.Child("configMap", "name")));
                }

                errors.AddRange(VolumeSourceValidation.Items(projection.ConfigMap.Items, sourcePath.Child("configMap", "items")));
            }

            if (projection.DownwardAPI is not null)
            {
                count++;
                foreach (var file in projection.DownwardAPI.Items ?? [])
                {
                    errors.AddRange(DownwardApiFile(file, sourcePath.Child("downwardAPI")));
                }
            }

            if (projection.ServiceAccountToken is { } token)
            {
                count++;
                if (token.ExpirationSeconds < 600)
                {
                    errors.Add(FieldErrors.Invalid(sourcePath.Child("serviceAccountToken", "expirationSeconds"), token.ExpirationSeconds.Value, "may not specify a duration less than 10 minutes"));
                }

                if (token.ExpirationSeconds > 1L << 32)
                {
                    errors.Add(FieldErrors.Invalid(sourcePath.Child("serviceAccountToken", "expirationSeconds"), token.ExpirationSeconds.Value, "may not specify a duration larger than 2^32 seconds"));
                }

                if (string.IsNullOrEmpty(token.Path))
                {
                    errors.Add(FieldErrors.Required(path.Child("path")));
                }
                else
                {
                    errors.AddRange(Paths.LocalNonReserved(token.Path, path.Child("path")));
                }
            }

            if (projection.ClusterTrustBundle is not null)
            {
                count++;
            }

            if (count > 1)
            {
                errors.Add(FieldErrors.Forbidden(sourcePath, "may not specify more than 1 volume type per source"));
            }
        }

        return errors;
    }
}
