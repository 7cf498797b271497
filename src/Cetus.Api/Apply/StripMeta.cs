namespace Cetus.Api.Apply;

/// <summary>
/// Fields no manager ever owns, from upstream's stripMetaManager: type and identity fields, and metadata the
/// server itself maintains. <c>metadata</c> itself is listed so that only its children can be owned.
/// </summary>
internal static class StripMeta
{
    private static readonly string[][] Paths =
    [
        ["f:apiVersion"],
        ["f:kind"],
        ["f:metadata"],
        ["f:metadata", "f:name"],
        ["f:metadata", "f:namespace"],
        ["f:metadata", "f:creationTimestamp"],
        ["f:metadata", "f:selfLink"],
        ["f:metadata", "f:uid"],
        ["f:metadata", "f:clusterName"],
        ["f:metadata", "f:generation"],
        ["f:metadata", "f:managedFields"],
        ["f:metadata", "f:resourceVersion"],
    ];

    /// <summary>The set without the never-owned fields; the input is not changed.</summary>
    public static FieldSet Apply(FieldSet set) => ApplyInPlace(set.Copy());

    /// <summary>Removes the never-owned fields from <paramref name="set"/> itself, a set the caller owns; returns it.</summary>
    public static FieldSet ApplyInPlace(FieldSet set)
    {
        foreach (var path in Paths)
        {
            set.Remove(path);
        }

        return set;
    }
}
