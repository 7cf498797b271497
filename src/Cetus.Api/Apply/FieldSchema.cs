using System.Text.Json.Nodes;
using Cetus.Api.Patching;

namespace Cetus.Api.Apply;

/// <summary>
/// What apply needs to know about one value: the metadata of its type and, when it is a list, how its items are
/// identified. Built from <see cref="PatchMeta"/>, so the patch tags of k8s.io/api decide which lists are
/// associative: a <c>patchMergeKey</c> makes a map list, <c>patchStrategy:merge</c> without a key a set, and
/// anything else atomic, which is how upstream's OpenAPI list types are derived from the same tags.
/// </summary>
/// <param name="Meta">The metadata of the value's type; for a list, of one item.</param>
/// <param name="List">The list kind, when the schema declares a list.</param>
/// <param name="MergeKey">The key field of a <see cref="ListKind.Map"/> list.</param>
internal sealed record FieldSchema(PatchMeta Meta, ListKind List, string? MergeKey)
{
    /// <summary>The schema of a top-level object of a model type.</summary>
    public static FieldSchema Root(Type modelType) => new(PatchMeta.For(modelType), ListKind.Atomic, null);

    /// <summary>
    /// Whether the entries of this object are map keys (labels, or any object of unknown schema) rather than
    /// struct fields: upstream puts a map entry itself in the field set even when it has children.
    /// </summary>
    public bool EntriesAreKeys => Meta.GoKind is "map" or "interface";

    /// <summary>The schema of one field of this object; an undeclared field has an unknown schema.</summary>
    public FieldSchema Field(string name)
    {
        var field = Meta.Lookup(name);
        if (field is null)
        {
            return new FieldSchema(PatchMeta.Unknown, ListKind.Atomic, null);
        }

        if (!field.IsList || field.Tag.Strategy != PatchStrategy.Merge)
        {
            return new FieldSchema(field.Value, ListKind.Atomic, null);
        }

        return field.Tag.MergeKey is { } key
            ? new FieldSchema(field.Value, ListKind.Map, key)
            : new FieldSchema(field.Value, ListKind.Set, null);
    }

    /// <summary>The schema of an item of this list: the item type, itself not a list.</summary>
    public FieldSchema Item() => new(Meta, ListKind.Atomic, null);

    /// <summary>
    /// How this array is handled: granular only when every item has an identity, since upstream rejects a
    /// keyed list whose items lack the key and this module must not fail where the patch already succeeded.
    /// </summary>
    public ListKind KindOf(JsonArray array) => List switch
    {
        ListKind.Map when array.All(item => PathElements.ItemKey(item, MergeKey!) is not null) => ListKind.Map,
        ListKind.Set when array.All(item => item is JsonValue) => ListKind.Set,
        _ => ListKind.Atomic,
    };

    /// <summary>The path element of one item of a granular list.</summary>
    public string ElementOf(JsonNode? item) => List == ListKind.Map
        ? PathElements.ItemKey(item, MergeKey!)!
        : PathElements.Value(item);
}
