namespace Cetus.Api.Scheme;

/// <summary>
/// Everything the API server needs to serve one resource: its kind and REST name, scope, names for kubectl,
/// subresources, the model type, its strategy and its table columns. Adding a resource is one of these, registered once.
/// </summary>
public sealed class ResourceDefinition
{
    /// <summary>The verbs of a resource that supports everything.</summary>
    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    // Built once, on first use (every request asks; the definition does not change once initialized).
    private string? _apiVersion;
    private string? _listKind;
    private string? _storagePrefix;

    /// <summary>API group; empty for the core group.</summary>
    public required string Group { get; init; }

    /// <summary>API version, e.g. <c>v1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Kind, e.g. <c>Pod</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The REST name, lower-case plural, e.g. <c>pods</c>.</summary>
    public required string Plural { get; init; }

    /// <summary>Lower-case singular, e.g. <c>pod</c>.</summary>
    public string Singular => Kind.ToLowerInvariant();

    /// <summary>True for namespaced resources, false for cluster-scoped ones.</summary>
    public required bool Namespaced { get; init; }

    /// <summary>The k8s.Models type of one object (e.g. <c>V1Pod</c>).</summary>
    public required Type Type { get; init; }

    /// <summary>The k8s.Models type of a list (e.g. <c>V1PodList</c>).</summary>
    public required Type ListType { get; init; }

    /// <summary>Short names for kubectl (<c>po</c>, <c>deploy</c>…).</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Categories (<c>all</c> makes <c>kubectl get all</c> include it).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources served: <c>status</c>, <c>scale</c>, <c>binding</c>…</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>Verbs of the main resource.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    /// <summary>Defaulting, validation and what create and update reset.</summary>
    public required IResourceStrategy Strategy { get; init; }

    /// <summary>The Table columns kubectl shows.</summary>
    public required ITableConvertor Table { get; init; }

    /// <summary>Kept for this long after the last write, then removed by the datastore (Events: one hour); null for ever.</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>A delete that removes the object at once answers with the object (pods), not a Status.</summary>
    public bool ReturnDeletedObject { get; init; }

    /// <summary>A PUT of a missing object creates it (events, leases), instead of 404.</summary>
    public bool AllowCreateOnUpdate { get; init; }

    /// <summary>
    /// A create-only resource that is never stored: the server answers a POST itself (the access and token reviews),
    /// as upstream's virtual resources. It has no list type (<see cref="ListType"/> is the item type).
    /// </summary>
    public bool Virtual { get; init; }

    /// <summary>The group, version and kind.</summary>
    public GroupVersionKind GroupVersionKind => new(Group, Version, Kind);

    /// <summary>The <c>apiVersion</c> value.</summary>
    public string ApiVersion => _apiVersion ??= GroupVersionKind.ApiVersion;

    /// <summary>The list kind, e.g. <c>PodList</c>.</summary>
    public string ListKind => _listKind ??= Kind + "List";

    /// <summary>
    /// Set when this resource lives in another resource's storage (served in two API versions); null for a resource
    /// with storage of its own.
    /// </summary>
    public SharedStorage? Storage { get; init; }

    /// <summary>The definition whose objects the datastore and the watch cache hold: the other resource's for shared storage.</summary>
    public ResourceDefinition Stored => Storage?.StoredAs ?? this;

    /// <summary>The datastore key prefix of this resource: <c>/registry/{group}/{plural}/</c> (<c>/registry/{plural}/</c> for core).</summary>
    public string StoragePrefix => _storagePrefix ??= Storage is { } shared ? shared.StoredAs.StoragePrefix
        : Group.Length == 0 ? $"/registry/{Plural}/" : $"/registry/{Group}/{Plural}/";
}
