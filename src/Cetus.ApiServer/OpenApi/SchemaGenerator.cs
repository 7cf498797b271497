using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// Builds <c>components.schemas</c> from the k8s.Models types by reflection: JSON names from
/// <see cref="JsonPropertyNameAttribute"/>, nested objects as <c>$ref</c> with the field's description beside it
/// (as upstream's v3 documents do), maps as <c>additionalProperties</c>, lists as <c>items</c>.
/// </summary>
internal sealed class SchemaGenerator
{
    private const string RefPrefix = "#/components/schemas/";

    private readonly Dictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _typeBySchema = new(StringComparer.Ordinal);
    private readonly Queue<Type> _pending = new();
    private readonly Func<Type, IReadOnlyList<GroupVersionKind>> _kindsOf;

    /// <param name="kindsOf">The group-version-kinds a type is served as (empty for types that are not kinds).</param>
    public SchemaGenerator(Func<Type, IReadOnlyList<GroupVersionKind>> kindsOf)
    {
        _kindsOf = kindsOf;
    }

    /// <summary>A <c>$ref</c> to the schema of <paramref name="type"/>, generating it (and what it uses) if needed.</summary>
    public JsonObject Reference(Type type) => new() { ["$ref"] = RefPrefix + Require(type) };

    /// <summary>A <c>$ref</c> to a schema by name; the schema must be added separately.</summary>
    public static JsonObject Reference(string schemaName) => new() { ["$ref"] = RefPrefix + schemaName };

    /// <summary>All schemas generated so far (including those the queue still needs), sorted by name.</summary>
    public SortedDictionary<string, JsonObject> Build()
    {
        while (_pending.TryDequeue(out var type))
        {
            _schemas[SchemaNames.For(type)] = ObjectSchema(type);
        }

        return new SortedDictionary<string, JsonObject>(_schemas, StringComparer.Ordinal);
    }

    /// <summary>Adds a schema written by hand (e.g. meta/v1 Patch).</summary>
    public void Add(string name, JsonObject schema) => _schemas[name] = schema;

    private string Require(Type type)
    {
        var name = SchemaNames.For(type);
        if (_typeBySchema.TryGetValue(name, out var known))
        {
            return known == type
                ? name
                : throw new InvalidOperationException($"{known} and {type} both map to the OpenAPI schema {name}");
        }

        _typeBySchema.Add(name, type);
        _pending.Enqueue(type);
        return name;
    }

    private JsonObject ObjectSchema(Type type)
    {
        var schema = new JsonObject();
        if (ModelDescriptions.ForType(type) is { } description)
        {
            schema["description"] = description;
        }

        var properties = new JsonObject();
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (property, jsonName) in JsonProperties(type))
        {
            var field = PropertySchema(property.PropertyType);
            if (ModelDescriptions.ForProperty(type, property.Name) is { } fieldDescription)
            {
                field["description"] = fieldDescription;
            }

            if (PatchStrategies.For(type, jsonName) is { } patch)
            {
                if (patch.MergeKey is not null)
                {
                    field["x-kubernetes-patch-merge-key"] = patch.MergeKey;
                }

                field["x-kubernetes-patch-strategy"] = patch.Strategy;
            }

            properties[jsonName] = field;
            fields.Add(jsonName);
        }

        schema["properties"] = properties;
        var required = RequiredFields.For(type).Where(fields.Contains).ToList();
        if (required.Count > 0)
        {
            schema["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]);
        }

        schema["type"] = "object";
        var kinds = _kindsOf(type);
        if (kinds.Count > 0)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray([.. kinds.Select(OpenApiPaths.KindExtension)]);
        }

        return schema;
    }

    private JsonObject PropertySchema(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(short) || type == typeof(byte))
        {
            return new JsonObject { ["format"] = "int32", ["type"] = "integer" };
        }

        if (type == typeof(long))
        {
            return new JsonObject { ["format"] = "int64", ["type"] = "integer" };
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new JsonObject { ["format"] = "double", ["type"] = "number" };
        }

        if (type == typeof(byte[]))
        {
            return new JsonObject { ["format"] = "byte", ["type"] = "string" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return Reference(SchemaNames.Time);
        }

        if (type == typeof(IntOrString))
        {
            return Reference(SchemaNames.IntOrString);
        }

        if (type == typeof(ResourceQuantity))
        {
            return Reference(SchemaNames.Quantity);
        }

        if (type == typeof(object))
        {
            // Free-form JSON (managed fields' fieldsV1, raw extensions).
            return new JsonObject { ["type"] = "object" };
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return new JsonObject { ["additionalProperties"] = PropertySchema(valueType), ["type"] = "object" };
        }

        if (ListItemType(type) is { } itemType)
        {
            return new JsonObject { ["items"] = PropertySchema(itemType), ["type"] = "array" };
        }

        if (type.Namespace == typeof(V1Pod).Namespace && type.IsClass)
        {
            return Reference(type);
        }

        throw new InvalidOperationException($"no OpenAPI schema for the property type {type}");
    }

    private static IEnumerable<(PropertyInfo Property, string JsonName)> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null && p.Property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => (p.Property, p.Name!))
            .OrderBy(p => p.Item2, StringComparer.Ordinal);

    private static Type? DictionaryValueType(Type type) =>
        GenericInterface(type, typeof(IDictionary<,>)) is { } dictionary && dictionary.GetGenericArguments()[0] == typeof(string)
            ? dictionary.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type != typeof(string) && GenericInterface(type, typeof(IEnumerable<>)) is { } enumerable ? enumerable.GetGenericArguments()[0] : null;

    private static Type? GenericInterface(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
}
