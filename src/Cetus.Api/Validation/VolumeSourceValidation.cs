using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// One volume's source. The sources are checked in Kubernetes' order, so that "more than 1 volume type" names the
/// same field as upstream (including its spellings <c>downwarAPI</c> and <c>cephFS</c>).
/// </summary>
internal static class VolumeSourceValidation
{
    private const string FileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive";

    /// <summary>The hostPath types, sorted as Kubernetes lists them.</summary>
    public static readonly IReadOnlyList<string> HostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

    public static IEnumerable<FieldError> Source(V1Volume volume, FieldPath path)
    {
        var sources = new (string Field, object? Value, Func<FieldPath, IEnumerable<FieldError>>? Check)[]
        {
            ("emptyDir", volume.EmptyDir, p => EmptyDir(volume.EmptyDir!, p)),
            ("hostPath", volume.HostPath, p => HostPath(volume.HostPath!, p)),
            ("gitRepo", volume.GitRepo, null),
            ("gcePersistentDisk", volume.GcePersistentDisk, null),
            ("awsElasticBlockStore", volume.AwsElasticBlockStore, null),
            ("secret", volume.Secret, p => Secret(volume.Secret!, p)),
            ("nfs", volume.Nfs, p => Nfs(volume.Nfs!, p)),
            ("iscsi", volume.Iscsi, null),
            ("glusterfs", volume.Glusterfs, null),
            ("flocker", volume.Flocker, null),
            ("persistentVolumeClaim", volume.PersistentVolumeClaim, p => Claim(volume.PersistentVolumeClaim!, p)),
            ("rbd", volume.Rbd, null),
            ("cinder", volume.Cinder, null),
            ("cephFS", volume.Cephfs, null),
            ("quobyte", volume.Quobyte, null),
            ("downwarAPI", volume.DownwardAPI, p => DownwardApi(volume.DownwardAPI!, path.Child("downwardAPI"))),
            ("fc", volume.Fc, null),
            ("flexVolume", volume.FlexVolume, null),
            ("configMap", volume.ConfigMap, p => ConfigMap(volume.ConfigMap!, p)),
            ("azureFile", volume.AzureFile, null),
            ("vsphereVolume", volume.VsphereVolume, null),
            ("photonPersistentDisk", volume.PhotonPersistentDisk, null),
            ("portworxVolume", volume.PortworxVolume, null),
            ("azureDisk", volume.AzureDisk, null),
            ("storageos", volume.Storageos, null),
            ("projected", volume.Projected, p => Projected(volume.Projected!, p)),
            ("scaleIO", volume.ScaleIO, null),
            ("csi", volume.Csi, p => Csi(volume.Csi!, p)),
            ("ephemeral", volume.Ephemeral, null),
            ("image", volume.Image, null),
        };

        var errors = new List<FieldError>();
        var count = 0;
        foreach (var (field, value, check) in sources)
        {
            if (value is null)
            {
                continue;
            }

            if (count > 0)
            {
                errors.Add(FieldErrors.Forbidden(path.Child(field), "may not specify more than 1 volume type"));
                continue;
            }

            count++;
            if (check is not null)
            {
                errors.AddRange(check(path.Child(field)));
            }
        }

        if (count == 0)
        {
            errors.Add(FieldErrors.Required(path, "must specify a volume type"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> EmptyDir(V1EmptyDirVolumeSource source, FieldPath path)
    {
        if (source.SizeLimit is not null && source.SizeLimit.ToDecimal() < 0)
        {
            yield return FieldErrors.Forbidden(path.Child("sizeLimit"), "SizeLimit field must be a valid resource quantity");
        }
    }

    private static IEnumerable<FieldError> HostPath(V1HostPathVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.Path))
        {
            yield return FieldErrors.Required(path.Child("path"));
            yield break;
        }

        foreach (var error in Paths.NoBacksteps(source.Path, path.Child("path")))
        {
            yield return error;
        }

        if (source.Type is not null && !HostPathTypes.Contains(source.Type))
        {
            yield return FieldErrors.NotSupported(path.Child("type"), source.Type, HostPathTypes);
        }
    }

    private static IEnumerable<FieldError> Secret(V1SecretVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.SecretName))
        {
            yield return FieldErrors.Required(path.Child("secretName"));
        }

        foreach (var error in Mode(source.DefaultMode, path.Child("defaultMode")).Concat(Items(source.Items, path.Child("items"))))
        {
            yield return error;
        }
    }

    private static IEnumerable<FieldError> ConfigMap(V1ConfigMapVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.Name))
        {
            yield return FieldErrors.Required(path.Child("name"));
        }

        foreach (var error in Mode(source.DefaultMode, path.Child("defaultMode")).Concat(Items(source.Items, path.Child("items"))))
        {
            yield return error;
        }
    }

    private static IEnumerable<FieldError> Nfs(V1NFSVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.Server))
        {
            yield return FieldErrors.Required(path.Child("server"));
        }

        if (string.IsNullOrEmpty(source.Path))
        {
            yield return FieldErrors.Required(path.Child("path"));
        }

        if (!(source.Path ?? "").StartsWith('/'))
        {
            yield return FieldErrors.Invalid(path.Child("path"), source.Path ?? "", "must be an absolute path");
        }
    }

    private static IEnumerable<FieldError> Claim(V1PersistentVolumeClaimVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.ClaimName))
        {
            yield return FieldErrors.Required(path.Child("claimName"));
        }
    }

    private static IEnumerable<FieldError> Csi(V1CSIVolumeSource source, FieldPath path)
    {
        if (string.IsNullOrEmpty(source.Driver))
        {
            yield return FieldErrors.Required(path.Child("driver"));
        }
    }

    private static IEnumerable<FieldError> DownwardApi(V1DownwardAPIVolumeSource source, FieldPath path)
    {
        var errors = Mode(source.DefaultMode, path.Child("defaultMode")).ToList();
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

        errors.AddRange(Mode(file.Mode, path.Child("mode")));
        return errors;
    }

    private static IEnumerable<FieldError> Projected(V1ProjectedVolumeSource source, FieldPath path)
    {
        var errors = Mode(source.DefaultMode, path.Child("defaultMode")).ToList();
        for (var i = 0; i < (source.Sources?.Count ?? 0); i++)
        {
            var projection = source.Sources![i];
            var sourcePath = path.Child("sources").Index(i);
            var count = 0;
            if (projection.Secret is not null)
            {
                count++;
                errors.AddRange(Items(projection.Secret.Items, sourcePath.Child("secret", "items")));
            }

            if (projection.ConfigMap is not null)
            {
                count++;
                errors.AddRange(Items(projection.ConfigMap.Items, sourcePath.Child("configMap", "items")));
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

    private static IEnumerable<FieldError> Items(IList<V1KeyToPath>? items, FieldPath path)
    {
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var item = items![i];
            var itemPath = path.Index(i);
            if (string.IsNullOrEmpty(item.Key))
            {
                yield return FieldErrors.Required(itemPath.Child("key"));
            }

            if (string.IsNullOrEmpty(item.Path))
            {
                yield return FieldErrors.Required(itemPath.Child("path"));
            }

            foreach (var error in Paths.LocalNonReserved(item.Path ?? "", itemPath.Child("path")).Concat(Mode(item.Mode, itemPath.Child("mode"))))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> Mode(int? mode, FieldPath path)
    {
        if (mode is < 0 or > 511)
        {
            yield return FieldErrors.Invalid(path, mode.Value, FileModeMessage);
        }
    }
}
