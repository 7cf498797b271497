using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Cetus.Client.Dynamic;

/// <summary>
/// Any object reduced to its type and metadata (metav1's PartialObjectMetadata): what the garbage collector and
/// the namespace controller need of every resource, whatever its kind.
/// </summary>
public sealed class PartialObject : IKubernetesObject<V1ObjectMeta>
{
    /// <inheritdoc/>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    /// <inheritdoc/>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    /// <inheritdoc/>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}

/// <summary>A list of <see cref="PartialObject"/>s.</summary>
public sealed class PartialObjectList : IKubernetesObject<V1ListMeta>, IItems<PartialObject>
{
    /// <inheritdoc/>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    /// <inheritdoc/>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    /// <inheritdoc/>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <inheritdoc/>
    [JsonPropertyName("items")]
    public IList<PartialObject> Items { get; set; } = [];
}
