namespace Cetus.Api.Scheme;

/// <summary>
/// A resource kept in another resource's storage and converted on the way in and out, as Kubernetes serves
/// core/v1 Events and events.k8s.io/v1 Events from one store: an object written through either is read through both.
/// </summary>
public sealed class SharedStorage
{
    /// <summary>The resource whose storage (keys and stored form) is used.</summary>
    public required ResourceDefinition StoredAs { get; init; }

    /// <summary>Converts an object of this resource's type to the stored resource's type (metadata kept).</summary>
    public required Func<object, object> ToStored { get; init; }

    /// <summary>Converts an object of the stored resource's type to this resource's type (metadata kept).</summary>
    public required Func<object, object> FromStored { get; init; }
}
