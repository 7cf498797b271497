using Cetus.Api.Json;
using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>
/// An object as the API server holds it: typed (never mutated once built: clone before changing), its wire JSON
/// with resourceVersion set, and the labels and fields selectors look at.
/// </summary>
public sealed class StoredObject
{
    private StoredObject(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] json, long revision)
    {
        Definition = definition;
        Key = key;
        Item = item;
        Json = json;
        Revision = revision;
        Labels = item.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : Empty;
        Fields = definition.Strategy.SelectableFields(item);
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>The resource.</summary>
    public ResourceDefinition Definition { get; }

    /// <summary>The datastore key.</summary>
    public string Key { get; }

    /// <summary>The typed object, resourceVersion set. Do not mutate.</summary>
    public IKubernetesObject<V1ObjectMeta> Item { get; }

    /// <summary>The object as sent to clients.</summary>
    public byte[] Json { get; }

    /// <summary>The modification revision (the resourceVersion).</summary>
    public long Revision { get; }

    /// <summary>metadata.labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The fields a field selector may use.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Decodes a datastore value (stored without resourceVersion) and sets resourceVersion to its revision.</summary>
    public static StoredObject Decode(ResourceDefinition definition, string key, byte[] value, long revision)
    {
        var stored = KubeJson.Deserialize(value, definition.Stored.Type)
            ?? throw new InvalidDataException($"the datastore holds null at {key}");
        var item = (IKubernetesObject<V1ObjectMeta>)(definition.Storage is { } shared ? shared.FromStored(stored) : stored);
        item.Metadata ??= new V1ObjectMeta();
        return Wrap(definition, key, item, value, revision);
    }

    /// <summary>This object as <paramref name="served"/> (a resource sharing this one's storage) serves it.</summary>
    public StoredObject As(ResourceDefinition served)
    {
        if (served == Definition)
        {
            return this;
        }

        var item = (IKubernetesObject<V1ObjectMeta>)served.Storage!.FromStored(Clone());
        item.Metadata.ResourceVersion = Item.Metadata.ResourceVersion;
        item.ApiVersion = served.ApiVersion;
        item.Kind = served.Kind;
        return new StoredObject(served, Key, item, KubeJson.Serialize(item, served.Type), Revision);
    }

    /// <summary>
    /// Wraps an object just written at <paramref name="revision"/> as <paramref name="value"/> (what
    /// <see cref="Encode"/> returned for it); the caller hands it over and changes it no more.
    /// </summary>
    public static StoredObject FromWritten(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value, long revision) =>
        Wrap(definition, key, item, value, revision);

    /// <summary>The bytes to store for <paramref name="item"/>: resourceVersion is the store's revision, so it is not stored.</summary>
    public static byte[] Encode(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> item)
    {
        var resourceVersion = item.Metadata.ResourceVersion;
        item.Metadata.ResourceVersion = null;
        item.ApiVersion = definition.ApiVersion;
        item.Kind = definition.Kind;
        try
        {
            if (definition.Storage is { } shared)
            {
                // Kept in the other resource's form (metadata is shared by the conversion, so resourceVersion stays out).
                var stored = (IKubernetesObject<V1ObjectMeta>)shared.ToStored(item);
                stored.ApiVersion = shared.StoredAs.ApiVersion;
                stored.Kind = shared.StoredAs.Kind;
                return KubeJson.Serialize(stored, shared.StoredAs.Type);
            }

            return KubeJson.Serialize(item, definition.Type);
        }
        finally
        {
            item.Metadata.ResourceVersion = resourceVersion;
        }
    }

    /// <summary>
    /// This object as it was when deleted at <paramref name="revision"/>: the same content, reported with the
    /// delete's revision as kube-apiserver does.
    /// </summary>
    public StoredObject AtRevision(long revision)
    {
        var item = Clone();
        var json = WireJson.WithResourceVersion(Json, revision, Definition.ApiVersion, Definition.Kind);
        item.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new StoredObject(Definition, Key, item, json ?? KubeJson.Serialize(item, Definition.Type), revision);
    }

    // The wire JSON is the stored bytes with resourceVersion spliced in; bytes of an unexpected shape (written by
    // another tool, say) are serialized again from the typed object instead.
    private static StoredObject Wrap(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value, long revision)
    {
        item.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        item.ApiVersion = definition.ApiVersion;
        item.Kind = definition.Kind;
        var json = WireJson.WithResourceVersion(value, revision, definition.ApiVersion, definition.Kind)
            ?? KubeJson.Serialize(item, definition.Type);
        return new StoredObject(definition, key, item, json, revision);
    }

    /// <summary>A deep copy of the typed object, for changing it.</summary>
    public IKubernetesObject<V1ObjectMeta> Clone() =>
        (IKubernetesObject<V1ObjectMeta>)KubeJson.Deserialize(Json, Definition.Type)!;
}
