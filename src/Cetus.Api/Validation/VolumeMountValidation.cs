using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>A container's volume mounts: each names a volume of the pod, at a unique path.</summary>
internal static class VolumeMountValidation
{
    private static readonly IReadOnlyList<string> Propagations = ["Bidirectional", "HostToContainer", "None"];
    private static readonly IReadOnlyList<string> RecursiveReadOnlyModes = ["Disabled", "Enabled", "IfPossible"];

    public static IEnumerable<FieldError> Mounts(V1Container container, IReadOnlyDictionary<string, V1Volume> volumes, FieldPath path)
    {
        var errors = new List<FieldError>();
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        var devices = (container.VolumeDevices ?? []).ToList();
        for (var i = 0; i < (container.VolumeMounts?.Count ?? 0); i++)
        {
            var mount = container.VolumeMounts![i];
            var itemPath = path.Index(i);
            var name = mount.Name ?? "";
            var mountPath = mount.MountPath ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldErrors.Required(itemPath.Child("name")));
            }

            if (!volumes.ContainsKey(name))
            {
                errors.Add(FieldErrors.NotFound(itemPath.Child("name"), name));
            }

            if (mountPath.Length == 0)
            {
                errors.Add(FieldErrors.Required(itemPath.Child("mountPath")));
            }

            if (!mountPaths.Add(mountPath))
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("mountPath"), mountPath, "must be unique"));
            }

            if (devices.Any(d => d.Name == name))
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("name"), name, "must not already exist in volumeDevices"));
            }

            if (devices.Any(d => d.DevicePath == mountPath))
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("mountPath"), mountPath, "must not already exist as a path in volumeDevices"));
            }

            // Upstream reports sub-path problems at the list's path, not the item's; kept for identical messages.
            if (!string.IsNullOrEmpty(mount.SubPath))
            {
                errors.AddRange(Paths.LocalDescending(mount.SubPath, path.Child("subPath")));
            }

            if (!string.IsNullOrEmpty(mount.SubPathExpr))
            {
                if (!string.IsNullOrEmpty(mount.SubPath))
                {
                    errors.Add(FieldErrors.Invalid(itemPath.Child("subPathExpr"), mount.SubPathExpr, "subPathExpr and subPath are mutually exclusive"));
                }

                errors.AddRange(Paths.LocalDescending(mount.SubPathExpr, path.Child("subPathExpr")));
            }

            errors.AddRange(Propagation(mount, container, path.Child("mountPropagation")));
            errors.AddRange(RecursiveReadOnly(mount, path.Child("recursiveReadOnly")));
        }

        return errors;
    }

    private static IEnumerable<FieldError> Propagation(V1VolumeMount mount, V1Container container, FieldPath path)
    {
        if (mount.MountPropagation is null)
        {
            yield break;
        }

        if (!Propagations.Contains(mount.MountPropagation))
        {
            yield return FieldErrors.NotSupported(path, mount.MountPropagation, Propagations);
        }

        if (mount.MountPropagation == "Bidirectional" && container.SecurityContext?.Privileged != true)
        {
            yield return FieldErrors.Forbidden(path, "Bidirectional mount propagation is available only to privileged containers");
        }
    }

    private static IEnumerable<FieldError> RecursiveReadOnly(V1VolumeMount mount, FieldPath path)
    {
        switch (mount.RecursiveReadOnly)
        {
            case null or "Disabled":
                break;
            case "Enabled" or "IfPossible":
                if (mount.ReadOnlyProperty != true)
                {
                    yield return FieldErrors.Forbidden(path, "may only be specified when readOnly is true");
                }

                if (mount.MountPropagation is not null and not "None")
                {
                    yield return FieldErrors.Forbidden(path, "may only be specified when mountPropagation is None or not specified");
                }

                break;
            default:
                yield return FieldErrors.NotSupported(path, mount.RecursiveReadOnly, RecursiveReadOnlyModes);
                break;
        }
    }
}
