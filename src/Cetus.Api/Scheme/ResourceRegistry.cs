namespace Cetus.Api.Scheme;

/// <summary>The resources the API server serves. Registration refuses duplicates, so each resource is defined once.</summary>
public sealed class ResourceRegistry
{
    private readonly List<ResourceDefinition> _all = [];
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceDefinition> _byResource = [];
    private readonly Dictionary<(string Group, string Version, string Kind), ResourceDefinition> _byKind = [];
    private readonly Dictionary<Type, ResourceDefinition> _byType = [];

    /// <summary>All resources, in registration order.</summary>
    public IReadOnlyList<ResourceDefinition> All => _all;

    /// <summary>Adds a resource; throws when its resource name, kind or type is taken.</summary>
    public ResourceRegistry Register(ResourceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!_byResource.TryAdd((definition.Group, definition.Version, definition.Plural), definition))
        {
            throw new InvalidOperationException($"resource {definition.Plural} in {definition.ApiVersion} is registered twice");
        }

        if (!_byKind.TryAdd((definition.Group, definition.Version, definition.Kind), definition) || !_byType.TryAdd(definition.Type, definition))
        {
            _byResource.Remove((definition.Group, definition.Version, definition.Plural));
            throw new InvalidOperationException($"kind {definition.GroupVersionKind} is registered twice");
        }

        _all.Add(definition);
        return this;
    }

    /// <summary>The resource served at <c>{group}/{version}/{plural}</c>, if any.</summary>
    public ResourceDefinition? Find(string group, string version, string plural) =>
        _byResource.GetValueOrDefault((group, version, plural));

    /// <summary>The resource of a kind, if any.</summary>
    public ResourceDefinition? FindKind(string group, string version, string kind) =>
        _byKind.GetValueOrDefault((group, version, kind));

    /// <summary>The resource whose objects have the model type <paramref name="type"/>, if any.</summary>
    public ResourceDefinition? FindType(Type type) => _byType.GetValueOrDefault(type);

    /// <summary>The group versions served, core first, in registration order.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions() =>
        _all.Select(d => (d.Group, d.Version)).Distinct();
}
