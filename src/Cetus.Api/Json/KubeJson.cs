using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Cetus.Api.Json;

/// <summary>
/// The wire format: the KubernetesClient package's JSON settings (camelCase, nulls omitted, quantities and
/// int-or-string as Kubernetes writes them), fixed where they differ from a real API server.
/// </summary>
public static class KubeJson
{
    /// <summary>Options for reading and writing API objects.</summary>
    public static JsonSerializerOptions Options { get; } = Create(strict: false);

    /// <summary>Like <see cref="Options"/>, but unknown fields are errors (fieldValidation=Strict).</summary>
    public static JsonSerializerOptions StrictOptions { get; } = Create(strict: true);

    /// <summary>Serializes an API object (or a Status) to UTF-8 JSON.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Serializes with the runtime type of <paramref name="value"/>.</summary>
    public static byte[] Serialize(object value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    /// <summary>Reads an API object of <paramref name="type"/>.</summary>
    public static object? Deserialize(ReadOnlySpan<byte> json, Type type, bool strict = false) =>
        JsonSerializer.Deserialize(json, type, strict ? StrictOptions : Options);

    /// <summary>Reads an API object.</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options);

    private static JsonSerializerOptions Create(bool strict)
    {
        ModelTypeInfoResolver.UseForKubernetesJson();
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        var options = new JsonSerializerOptions(captured!);
        // Its V1Status converter throws when writing; a plain Status is what servers send.
        for (var i = options.Converters.Count - 1; i >= 0; i--)
        {
            if (options.Converters[i].GetType().Name.Contains("V1StatusObjectViewConverter", StringComparison.Ordinal))
            {
                options.Converters.RemoveAt(i);
            }
        }

        var resolver = ModelTypeInfoResolver.Instance.WithAddedModifier(info =>
        {
            if (MicroTimeConverter.Fields.TryGetValue(info.Type, out var microTimes))
            {
                foreach (var property in info.Properties)
                {
                    if (microTimes.Contains(property.Name))
                    {
                        property.CustomConverter = property.PropertyType == typeof(DateTime) ? MicroTimeConverter.Required
                            : property.PropertyType == typeof(DateTime?) ? MicroTimeConverter.Instance
                            : property.CustomConverter;
                    }
                }
            }

            if (info.Type == typeof(V1Status))
            {
                // "hasObject" is the client's own bookkeeping, not part of the API.
                for (var i = info.Properties.Count - 1; i >= 0; i--)
                {
                    if (string.Equals(info.Properties[i].Name, "hasObject", StringComparison.OrdinalIgnoreCase))
                    {
                        info.Properties.RemoveAt(i);
                    }
                }
            }
        });
        options.TypeInfoResolver = resolver;
        options.AllowDuplicateProperties = !strict;
        if (strict)
        {
            options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        }

        options.MakeReadOnly();
        return options;
    }
}
