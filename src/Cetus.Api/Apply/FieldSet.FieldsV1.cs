using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>The FieldsV1 wire form of a field set, as metav1.FieldsV1 stores it in managedFields.</summary>
internal sealed partial class FieldSet
{
    /// <summary>The key FieldsV1 uses for "this node itself is a member" when the node also has children.</summary>
    public const string Self = ".";

    /// <summary>
    /// The FieldsV1 object: a member without children is <c>{}</c>, a member with children carries <c>".":{}</c>
    /// first, and children follow in the order of their keys.
    /// </summary>
    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        if (IsMember && Children.Count > 0)
        {
            result[Self] = new JsonObject();
        }

        foreach (var (element, child) in Children)
        {
            result[element] = child.ToFieldsV1();
        }

        return result;
    }

    /// <summary>Reads a FieldsV1 object; values that are not objects are ignored, as they cannot be paths.</summary>
    public static FieldSet FromFieldsV1(JsonObject fields)
    {
        var result = new FieldSet();
        Read(result, fields, isRoot: true);
        return result;
    }

    private static void Read(FieldSet node, JsonObject fields, bool isRoot)
    {
        // An empty object is a leaf member; the root is the whole object, which is never owned as such.
        if (fields.Count == 0 && !isRoot)
        {
            node.IsMember = true;
        }

        foreach (var (key, value) in fields)
        {
            if (key == Self)
            {
                node.IsMember = true;
            }
            else if (value is JsonObject childFields)
            {
                var child = new FieldSet();
                Read(child, childFields, isRoot: false);
                if (!child.IsEmpty)
                {
                    node.OwnChildren[key] = child;
                }
            }
        }
    }
}
