namespace Cetus.Client.Dynamic;

/// <summary>A resource the API server serves, as discovery describes it (one preferred group-version).</summary>
/// <param name="Group">The API group ("" for core).</param>
/// <param name="Version">The version.</param>
/// <param name="Resource">The plural resource name (no subresource).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Namespaced">True for namespaced resources.</param>
/// <param name="Verbs">The verbs it supports.</param>
public sealed record ApiResource(string Group, string Version, string Resource, string Kind, bool Namespaced, IReadOnlyList<string> Verbs)
{
    /// <summary>"v1" or "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>True when every verb is supported.</summary>
    public bool Supports(params string[] verbs) => verbs.All(Verbs.Contains);

    /// <summary>The group of an apiVersion ("v1" → "", "apps/v1" → "apps").</summary>
    public static string GroupOf(string? apiVersion) => apiVersion is { } v && v.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? v[..slash] : string.Empty;

    /// <summary>The URL path of the collection, or of one object when <paramref name="name"/> is given.</summary>
    public string Path(string? ns, string? name = null)
    {
        var prefix = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        var path = Namespaced && !string.IsNullOrEmpty(ns) ? $"{prefix}/namespaces/{Uri.EscapeDataString(ns)}/{Resource}" : $"{prefix}/{Resource}";
        return name is null ? path : $"{path}/{Uri.EscapeDataString(name)}";
    }

    /// <summary>
    /// Equal when every field is, the verbs compared item by item (each discovery reads them into a new list; a
    /// record would compare the lists by reference and find every rediscovered resource new).
    /// </summary>
    public bool Equals(ApiResource? other) =>
        other is not null
        && string.Equals(Group, other.Group, StringComparison.Ordinal)
        && string.Equals(Version, other.Version, StringComparison.Ordinal)
        && string.Equals(Resource, other.Resource, StringComparison.Ordinal)
        && string.Equals(Kind, other.Kind, StringComparison.Ordinal)
        && Namespaced == other.Namespaced
        && Verbs.SequenceEqual(other.Verbs, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Group, Version, Resource, Kind, Namespaced, Verbs.Count);

    /// <inheritdoc/>
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}
