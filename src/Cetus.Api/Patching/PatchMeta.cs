using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cetus.Api.Patching;

/// <summary>
/// Strategic-merge-patch metadata of a model type: for each JSON field, the type of its value and the
/// patch tags k8s.io/api declares on the Go struct field. KubernetesClient's models do not carry those
/// tags, so the types are walked by their <see cref="JsonPropertyNameAttribute"/> names and the tags come
/// from a table written from upstream's types.go.
/// </summary>
public sealed class PatchMeta
{
    private static readonly ConcurrentDictionary<Type, PatchMeta> Cache = new();
    private readonly Func<string, PatchField?> lookup;

    private PatchMeta(Type? modelType, string goKind, Func<string, PatchField?> lookup)
    {
        ModelType = modelType;
        GoKind = goKind;
        this.lookup = lookup;
    }

    /// <summary>
    /// Metadata of a value whose schema is unknown: no field has tags, so maps merge and lists are
    /// replaced, which is what upstream's patch would do without a merge strategy.
    /// </summary>
    public static PatchMeta Unknown { get; } = new(null, "interface", _ => UnknownField);

    private static PatchField UnknownField { get; } = new(Unknown, IsList: false, PatchTag.None);

    /// <summary>The model type described; null for <see cref="Unknown"/>.</summary>
    public Type? ModelType { get; }

    /// <summary>The type's name for error messages.</summary>
    public string Name => ModelType?.Name ?? "unknown";

    /// <summary>The Go kind of the type ("struct", "map", "string"…), which upstream's errors print.</summary>
    internal string GoKind { get; }

    /// <summary>The metadata of a model type such as <c>typeof(V1Deployment)</c>; cached.</summary>
    /// <param name="modelType">A k8s.Models type, or any other type (which yields metadata without tags).</param>
    public static PatchMeta For(Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        return Cache.GetOrAdd(modelType, Create);
    }

    /// <summary>The field with this JSON name; null when the model type has no such field.</summary>
    /// <param name="jsonName">The field's name on the wire, e.g. <c>containers</c>.</param>
    public PatchField? Lookup(string jsonName) => lookup(jsonName);

    private static PatchMeta Create(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement))
        {
            return Unknown;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            var valueField = new Lazy<PatchField>(() => FieldOf(valueType, PatchTag.None));
            return new PatchMeta(type, "map", _ => valueField.Value);
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null)
            .ToList();
        if (properties.Count == 0)
        {
            return new PatchMeta(type, LeafKind(type), _ => UnknownField);
        }

        var fields = new Lazy<Dictionary<string, PatchField>>(() => properties.ToDictionary(
            p => p.Name!,
            p => FieldOf(p.Property.PropertyType, PatchMetaTable.Tag(type, p.Name!)),
            StringComparer.Ordinal));
        return new PatchMeta(type, "struct", name => FindField(fields.Value, name));
    }

    // Go's encoding/json, and upstream's lookup after it, fall back to a case-insensitive match.
    private static PatchField? FindField(Dictionary<string, PatchField> fields, string name)
    {
        if (fields.TryGetValue(name, out var field))
        {
            return field;
        }

        foreach (var (key, value) in fields)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static PatchField FieldOf(Type valueType, PatchTag tag) => ListItemType(valueType) is { } itemType
        ? new PatchField(For(itemType), IsList: true, tag)
        : new PatchField(For(valueType), IsList: false, tag);

    private static Type? DictionaryValueType(Type type) => GenericArguments(type, typeof(IDictionary<,>), typeof(IReadOnlyDictionary<,>)) is [_, var value]
        ? value
        : null;

    private static Type? ListItemType(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]) || DictionaryValueType(type) is not null)
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return GenericArguments(type, typeof(IEnumerable<>)) is [var item] ? item : null;
    }

    private static Type[]? GenericArguments(Type type, params Type[] definitions)
    {
        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (candidate.IsGenericType && definitions.Contains(candidate.GetGenericTypeDefinition()))
            {
                return candidate.GetGenericArguments();
            }
        }

        return null;
    }

    private static string LeafKind(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.String => "string",
        TypeCode.Boolean => "bool",
        TypeCode.Int32 => "int32",
        TypeCode.Int64 => "int64",
        TypeCode.Double => "float64",
        TypeCode.Single => "float32",
        _ => "struct",
    };
}
