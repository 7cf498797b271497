using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>Finalizer names: qualified names, and unprefixed ones only the standard three.</summary>
public static class FinalizerValidation
{
    /// <summary>The namespace finalizer, run by the namespace controller.</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>The garbage collector's finalizer for orphaning dependents.</summary>
    public const string Orphan = "orphan";

    /// <summary>The garbage collector's finalizer for foreground deletion.</summary>
    public const string ForegroundDeletion = "foregroundDeletion";

    /// <summary>metadata.finalizers: every name valid, orphan and foregroundDeletion not both.</summary>
    public static IEnumerable<Scheme.FieldError> MetadataFinalizers(IList<string>? finalizers, FieldPath path)
    {
        if (finalizers is null)
        {
            yield break;
        }

        foreach (var name in finalizers)
        {
            foreach (var error in QualifiedName(name ?? "", path))
            {
                yield return error;
            }
        }

        if (finalizers.Contains(Orphan) && finalizers.Contains(ForegroundDeletion))
        {
            yield return FieldErrors.Invalid(path, GoSyntax.StringSlice(finalizers), $"finalizer {Orphan} and {ForegroundDeletion} cannot be both set");
        }

        for (var i = 0; i < finalizers.Count; i++)
        {
            foreach (var error in Standard(finalizers[i] ?? "", path.Index(i)))
            {
                yield return error;
            }
        }
    }

    /// <summary>One finalizer name: a qualified name.</summary>
    public static IEnumerable<FieldError> QualifiedName(string name, FieldPath path) =>
        QualifiedNames.IsQualifiedName(name).Select(m => FieldErrors.Invalid(path, name, m));

    /// <summary>One finalizer name without a '/': only the standard names are allowed.</summary>
    public static IEnumerable<FieldError> Standard(string name, FieldPath path)
    {
        if (!name.Contains('/', StringComparison.Ordinal) && name is not (Kubernetes or Orphan or ForegroundDeletion))
        {
            yield return FieldErrors.Invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified");
        }
    }
}
