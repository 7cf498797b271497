using System.Collections;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// Writes a decoded Kubernetes message as the JSON that Go's encoding/json writes for the struct it came from, walking
/// the message through protobuf reflection. Go's rules, as the generated .proto records them per field:
/// a nil pointer, nil slice or nil map is omitted, or written as null when the json tag has no omitempty; a zero scalar
/// is omitted under omitempty; a struct value is always written (omitempty never drops one); embedded structs are
/// flattened into their parent; map keys are sorted.
/// </summary>
internal static class KubeJsonWriter
{
    /// <summary>Adds the message's fields to <paramref name="json"/>.</summary>
    public static void WriteFields(IMessage message, JsonObject json) => WriteFields(message, json, inlined: false);

    /// <summary>The JSON of a message value: its own JSON form for the types that have one, else an object.</summary>
    public static JsonNode? WriteMessage(MessageDescriptor type, IMessage? message)
    {
        message ??= type.Parser.ParseFrom(ByteString.Empty);
        if (KubeWellKnown.TryWrite(message, out var node))
        {
            return node;
        }

        if (KubeFieldPlan.IsArray(type))
        {
            var items = type.Fields.InDeclarationOrder()[0];
            var list = (IList)items.Accessor.GetValue(message);
            return list.Count == 0 ? null : WriteList(items, list);
        }

        var json = new JsonObject();
        WriteFields(message, json);
        return json;
    }

    private static void WriteFields(IMessage message, JsonObject json, bool inlined)
    {
        foreach (var plan in KubeFieldPlan.For(message.Descriptor))
        {
            if (plan.Inline)
            {
                var embedded = (IMessage?)plan.Field.Accessor.GetValue(message) ?? plan.Field.MessageType.Parser.ParseFrom(ByteString.Empty);
                WriteFields(embedded, json, inlined: true);
                continue;
            }

            if (!TryWrite(plan, message, out var node))
            {
                continue;
            }

            // Go's rule for a name clash: the field of the outer struct wins over one promoted from an embedded struct.
            if (!inlined || !json.ContainsKey(plan.JsonName))
            {
                json[plan.JsonName] = node;
            }
        }
    }

    private static bool TryWrite(KubeFieldPlan plan, IMessage message, out JsonNode? node)
    {
        var field = plan.Field;
        var value = field.Accessor.GetValue(message);
        node = null;
        if (field.IsMap)
        {
            var map = (IDictionary)value;
            if (map.Count == 0)
            {
                return plan.Always;
            }

            node = WriteMap(field, map);
            return true;
        }

        if (field.IsRepeated)
        {
            var list = (IList)value;
            if (list.Count == 0)
            {
                return plan.Always;
            }

            node = WriteList(field, list);
            return true;
        }

        if (plan.Pointer)
        {
            if (!field.Accessor.HasValue(message))
            {
                return plan.Always;
            }

            node = WriteValue(field, value);
            return true;
        }

        if (field.FieldType == FieldType.Message)
        {
            node = WriteMessage(field.MessageType, (IMessage?)value);
            return true;
        }

        if (IsZero(value))
        {
            // A nil []byte is null; the other zero values are themselves.
            node = field.FieldType == FieldType.Bytes ? null : WriteValue(field, value);
            return plan.Always;
        }

        node = WriteValue(field, value);
        return true;
    }

    private static JsonArray WriteList(FieldDescriptor field, IList list)
    {
        var items = new JsonNode?[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            items[i] = WriteValue(field, list[i]!);
        }

        return new JsonArray(items);
    }

    private static JsonObject WriteMap(FieldDescriptor field, IDictionary map)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        var json = new JsonObject();
        foreach (var key in map.Keys.Cast<string>().Order(StringComparer.Ordinal))
        {
            json[key] = WriteValue(valueField, map[key]!);
        }

        return json;
    }

    private static JsonNode? WriteValue(FieldDescriptor field, object value) => value switch
    {
        IMessage message => WriteMessage(field.MessageType, message),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        uint number => JsonValue.Create(number),
        ulong number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        float number => JsonValue.Create(number),
        ByteString bytes => JsonValue.Create(bytes.ToBase64()),
        _ => throw new InvalidOperationException($"{field.FullName}: no JSON form for {value.GetType().Name}"),
    };

    private static bool IsZero(object value) => value switch
    {
        string text => text.Length == 0,
        bool flag => !flag,
        int number => number == 0,
        long number => number == 0,
        uint number => number == 0,
        ulong number => number == 0,
        double number => number == 0,
        float number => number == 0,
        ByteString bytes => bytes.IsEmpty,
        _ => false,
    };
}
