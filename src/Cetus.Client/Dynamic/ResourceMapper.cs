namespace Cetus.Client.Dynamic;

/// <summary>
/// Maps an (apiVersion, kind) to the resource that serves it, from the last discovery (client-go's RESTMapper over
/// preferred versions): an owner reference names a kind, the API addresses resources.
/// </summary>
public sealed class ResourceMapper
{
    private volatile IReadOnlyDictionary<(string Group, string Kind), ApiResource> _byKind = new Dictionary<(string, string), ApiResource>();

    /// <summary>Every resource of the last discovery.</summary>
    public IReadOnlyList<ApiResource> Resources { get; private set; } = [];

    /// <summary>Replaces the mapping with a fresh discovery.</summary>
    public void Update(IReadOnlyList<ApiResource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var byKind = new Dictionary<(string, string), ApiResource>();
        foreach (var resource in resources)
        {
            byKind.TryAdd((resource.Group, resource.Kind), resource);
        }

        Resources = resources;
        _byKind = byKind;
    }

    /// <summary>The resource serving <paramref name="kind"/> in the group of <paramref name="apiVersion"/>, or null.</summary>
    public ApiResource? Find(string? apiVersion, string? kind) =>
        kind is null ? null : _byKind.GetValueOrDefault((ApiResource.GroupOf(apiVersion), kind));
}
