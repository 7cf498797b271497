using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace Cetus.Api.Json;

/// <summary>
/// The JSON contracts of the KubernetesClient models, taken from the package's source-generated context one type at a
/// time; every other type goes to the reflection resolver, as <see cref="KubernetesJson"/> does.
/// </summary>
/// <remarks>
/// The context's own lookup compares the requested type with each of its ~1,200 types in turn. In precompiled
/// (ReadyToRun) code each of those comparisons loads the type it names, so the first lookup of a type near the end
/// of the list, or of any type the context does not know (an anonymous patch body), loads every type it knows (~1,200
/// models and their collections): an idle <c>cetus up</c> held 154 MB with that lookup, 149 MB with this one
/// (docs/benchmarks.md, 2026-11-28). This resolver calls the context's factory for
/// the one type asked for (<c>Create_V1Pod</c> for <c>V1Pod</c>, <c>Create_IListV1Container</c> for
/// <c>IList&lt;V1Container&gt;</c>), found by the name the source generator gives it and checked by its return type.
/// A type whose factory is not found is served by reflection, which reads the same attributes.
/// </remarks>
public sealed class ModelTypeInfoResolver : IJsonTypeInfoResolver
{
    private readonly ConcurrentDictionary<Type, Func<JsonSerializerOptions, JsonTypeInfo>?> _factories = new();
    private readonly DefaultJsonTypeInfoResolver _reflection = new();

    private ModelTypeInfoResolver()
    {
    }

    /// <summary>The shared instance.</summary>
    public static ModelTypeInfoResolver Instance { get; } = new();

    /// <inheritdoc />
    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _factories.GetOrAdd(type, FindFactory) is { } factory ? factory(options) : _reflection.GetTypeInfo(type, options);
    }

    /// <summary>
    /// Makes <see cref="KubernetesJson"/>'s own settings (used by its Serialize and Deserialize) resolve through this
    /// resolver. Call it before anything is serialized with them; once they are in use they cannot change, and this
    /// does nothing.
    /// </summary>
    public static void UseForKubernetesJson() => KubernetesJson.AddJsonOptions(UseIn);

    /// <summary>Sets this resolver in <paramref name="options"/> unless they are in use already (read-only).</summary>
    internal static void UseIn(JsonSerializerOptions options)
    {
        if (!options.IsReadOnly)
        {
            options.TypeInfoResolver = Instance;
        }
    }

    /// <summary>
    /// The context's factory for <paramref name="type"/>, or null if it has none. Internal for the tests, which check
    /// that every API type is found.
    /// </summary>
    internal static Func<JsonSerializerOptions, JsonTypeInfo>? FindFactory(Type type)
    {
        if (type.IsGenericTypeDefinition || type.IsPointer || type.IsByRef || PropertyName(type) is not { } name)
        {
            return null;
        }

        var method = typeof(SourceGenerationContext).GetMethod(
            "Create_" + name, BindingFlags.Instance | BindingFlags.NonPublic, [typeof(JsonSerializerOptions)]);
        if (method is null || method.ReturnType != typeof(JsonTypeInfo<>).MakeGenericType(type))
        {
            return null;
        }

        return method.CreateDelegate<Func<JsonSerializerOptions, JsonTypeInfo>>(SourceGenerationContext.Default);
    }

    // The source generator's name for a type: its name; a generic type's name without the arity, followed by its
    // arguments' names (IDictionaryStringIListString); an array's element name followed by "Array" (ByteArray).
    private static string? PropertyName(Type type)
    {
        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 && PropertyName(type.GetElementType()!) is { } element ? element + "Array" : null;
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var result = tick < 0 ? name : name[..tick];
        foreach (var argument in type.GetGenericArguments())
        {
            if (PropertyName(argument) is not { } part)
            {
                return null;
            }

            result += part;
        }

        return result;
    }
}
