namespace Cetus.Api.Patching;

/// <summary>The list and map part of a field's <c>patchStrategy</c> tag in k8s.io/api.</summary>
public enum PatchStrategy
{
    /// <summary>No tag: maps merge key by key, lists are replaced whole.</summary>
    Default,

    /// <summary><c>merge</c>: list items merge by the merge key (or as a set, for lists of primitives).</summary>
    Merge,

    /// <summary><c>replace</c>: the patch value replaces the field whole, maps included.</summary>
    Replace,
}
