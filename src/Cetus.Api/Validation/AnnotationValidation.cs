using System.Text;
using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>Annotations: case-insensitive qualified-name keys, 256 KiB for keys and values together.</summary>
internal static class AnnotationValidation
{
    /// <summary>The most bytes all keys and values of an object's annotations may take.</summary>
    public const int TotalSizeLimit = 256 * 1024;

    /// <summary>The annotation rules of ObjectMeta validation.</summary>
    public static IEnumerable<FieldError> Annotations(IDictionary<string, string>? annotations, FieldPath path)
    {
        if (annotations is null)
        {
            yield break;
        }

        long total = 0;
        foreach (var (key, value) in annotations.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var message in QualifiedNames.IsQualifiedName(key.ToLowerInvariant()))
            {
                yield return FieldErrors.Invalid(path, key, message);
            }

            total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value ?? "");
        }

        if (total > TotalSizeLimit)
        {
            yield return FieldErrors.TooLong(path, TotalSizeLimit);
        }
    }
}
