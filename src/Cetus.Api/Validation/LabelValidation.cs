using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>Label maps (metadata.labels, selectors, node selectors): qualified-name keys and label values.</summary>
internal static class LabelValidation
{
    /// <summary>Each key a qualified name and each value a label value; errors name the map, not the key.</summary>
    public static IEnumerable<FieldError> Labels(IDictionary<string, string>? labels, FieldPath path)
    {
        if (labels is null)
        {
            yield break;
        }

        foreach (var (key, value) in labels.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var error in LabelName(key, path))
            {
                yield return error;
            }

            foreach (var message in QualifiedNames.IsLabelValue(value ?? ""))
            {
                yield return FieldErrors.Invalid(path, value ?? "", message);
            }
        }
    }

    /// <summary>A label key (also a taint or toleration key).</summary>
    public static IEnumerable<FieldError> LabelName(string name, FieldPath path) =>
        QualifiedNames.IsQualifiedName(name).Select(m => FieldErrors.Invalid(path, name, m));
}
