using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>A pod's volumes: unique DNS-label names, exactly one source each, each source's own rules.</summary>
internal static class VolumeValidation
{
    /// <summary>Validates the list; <paramref name="valid"/> gets the volumes mounts may refer to.</summary>
    public static IEnumerable<FieldError> Volumes(IList<V1Volume>? volumes, FieldPath path, out Dictionary<string, V1Volume> valid)
    {
        valid = new Dictionary<string, V1Volume>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        for (var i = 0; i < (volumes?.Count ?? 0); i++)
        {
            var volume = volumes![i];
            var itemPath = path.Index(i);
            var namePath = itemPath.Child("name");
            var own = VolumeSourceValidation.Source(volume, itemPath).ToList();
            if (string.IsNullOrEmpty(volume.Name))
            {
                own.Add(FieldErrors.Required(namePath));
            }
            else
            {
                own.AddRange(DnsNames.IsDns1123Label(volume.Name).Select(m => FieldErrors.Invalid(namePath, volume.Name, m)));
            }

            if (volume.Name is not null && valid.ContainsKey(volume.Name))
            {
                own.Add(FieldErrors.Duplicate(namePath, volume.Name));
            }

            if (own.Count == 0)
            {
                valid[volume.Name!] = volume;
            }
            else
            {
                errors.AddRange(own);
            }
        }

        return errors;
    }
}
