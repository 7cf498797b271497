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
            ("downwarAPI", volume.DownwardAPI, p => ProjectedVolumeValidation.DownwardApi(volume.DownwardAPI!, path.Child("downwardAPI"))),
            ("fc", volume.Fc, null),
            ("flexVolume", volume.FlexVolume, null),
            ("configMap", volume.ConfigMap, p => ConfigMap(volume.ConfigMap!, p)),
            ("azureFile", volume.AzureFile, null),
            ("vsphereVolume", volume.VsphereVolume, null),
            ("photonPersistentDisk", volume.PhotonPersistentDisk, null),
            ("portworxVolume", volume.PortworxVolume, null),
            ("azureDisk", volume.AzureDisk, null),
            ("storageos", volume.Storageos, null),
            ("projected", volume.Projected, p => ProjectedVolumeValidation.Projected(volume.Projected!, p)),
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

    /// <summary>The key-to-path items of a secret, configMap or projection.</summary>
    public static IEnumerable<FieldError> Items(IList<V1KeyToPath>? items, FieldPath path)
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

    /// <summary>A file mode: 0 to 0777.</summary>
    public static IEnumerable<FieldError> Mode(int? mode, FieldPath path)
    {
        if (mode is < 0 or > 511)
        {
            yield return FieldErrors.Invalid(path, mode.Value, FileModeMessage);
        }
    }
}
