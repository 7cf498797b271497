using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Owner references: apiVersion, kind, name and uid set; no Event owners; at most one controller.</summary>
internal static class OwnerReferenceValidation
{
    /// <summary>The rules of apimachinery's <c>ValidateOwnerReferences</c>; like upstream, errors name the list, not the item.</summary>
    public static IEnumerable<FieldError> OwnerReferences(IList<V1OwnerReference>? references, FieldPath path)
    {
        if (references is null)
        {
            yield break;
        }

        string? firstController = null;
        foreach (var reference in references)
        {
            var (group, version) = SplitApiVersion(reference.ApiVersion ?? "");
            if (version.Length == 0)
            {
                yield return FieldErrors.Invalid(path.Child("apiVersion"), reference.ApiVersion ?? "", "version must not be empty");
            }

            if (string.IsNullOrEmpty(reference.Kind))
            {
                yield return FieldErrors.Invalid(path.Child("kind"), "", "must not be empty");
            }

            if (string.IsNullOrEmpty(reference.Name))
            {
                yield return FieldErrors.Invalid(path.Child("name"), "", "must not be empty");
            }

            if (string.IsNullOrEmpty(reference.Uid))
            {
                yield return FieldErrors.Invalid(path.Child("uid"), "", "must not be empty");
            }

            if (group.Length == 0 && version == "v1" && reference.Kind == "Event")
            {
                yield return FieldErrors.Invalid(path, GoSyntaxOf(reference), "/v1, Kind=Event is disallowed from being an owner");
            }

            if (reference.Controller == true)
            {
                var current = reference.Kind + "/" + reference.Name;
                if (firstController is null)
                {
                    firstController = current;
                }
                else
                {
                    var all = new GoLiteral("[]v1.OwnerReference{" + string.Join(", ", references.Select(r => GoSyntaxOf(r).Text)) + "}");
                    yield return FieldErrors.Invalid(path, all, $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}");
                }
            }
        }
    }

    // Go's schema.ParseGroupVersion: "v1" is a version, "g/v" a group and version, more slashes are no version.
    private static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var parts = apiVersion.Split('/');
        return parts.Length switch
        {
            1 => ("", parts[0]),
            2 => (parts[0], parts[1]),
            _ => ("", ""),
        };
    }

    // Pointers print as addresses in Go; a fixed one keeps the message stable.
    private static GoLiteral GoSyntaxOf(V1OwnerReference reference)
    {
        static string Pointer(bool? value) => value is null ? "(*bool)(nil)" : "(*bool)(0xc000000000)";
        return new GoLiteral(
            $"v1.OwnerReference{{APIVersion:{GoText.Quote(reference.ApiVersion ?? "")}, Kind:{GoText.Quote(reference.Kind ?? "")}, Name:{GoText.Quote(reference.Name ?? "")}, " +
            $"UID:{GoText.Quote(reference.Uid ?? "")}, Controller:{Pointer(reference.Controller)}, BlockOwnerDeletion:{Pointer(reference.BlockOwnerDeletion)}}}");
    }
}
