using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>File paths inside volumes and containers: no stepping out with "..".</summary>
internal static class Paths
{
    /// <summary>No ".." element.</summary>
    public static IEnumerable<FieldError> NoBacksteps(string path, FieldPath field)
    {
        if (path.Replace('\\', '/').Split('/').Contains(".."))
        {
            yield return FieldErrors.Invalid(field, path, "must not contain '..'");
        }
    }

    /// <summary>Relative, and no ".." element.</summary>
    public static IEnumerable<FieldError> LocalDescending(string path, FieldPath field)
    {
        if (path.StartsWith('/'))
        {
            yield return FieldErrors.Invalid(field, path, "must be a relative path");
        }

        foreach (var error in NoBacksteps(path, field))
        {
            yield return error;
        }
    }

    /// <summary>Relative, no ".." element, and not starting with "..".</summary>
    public static IEnumerable<FieldError> LocalNonReserved(string path, FieldPath field)
    {
        foreach (var error in LocalDescending(path, field))
        {
            yield return error;
        }

        if (path.StartsWith("..", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal))
        {
            yield return FieldErrors.Invalid(field, path, "must not start with '..'");
        }
    }
}
