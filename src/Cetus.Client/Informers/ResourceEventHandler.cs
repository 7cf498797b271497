namespace Cetus.Client.Informers;

/// <summary>
/// What an informer calls when its cache changes. Handlers run on the informer's own loop, one event at a time:
/// they must be quick (enqueue a key, no I/O) and must not modify the objects.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class ResourceEventHandler<T>
{
    /// <summary>An object appeared (first list, or an ADDED event).</summary>
    public Action<T>? OnAdd { get; init; }

    /// <summary>An object changed (old, new); during a periodic resync both are the same object.</summary>
    public Action<T, T>? OnUpdate { get; init; }

    /// <summary>An object went away; <see cref="DeletedObject{T}.FinalStateUnknown"/> is true when a relist found it gone (a tombstone).</summary>
    public Action<DeletedObject<T>>? OnDelete { get; init; }
}

/// <summary>
/// The last known state of a deleted object. When the deletion was noticed by a relist rather than a DELETED event
/// (client-go's DeletedFinalStateUnknown tombstone), the object may be stale.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
/// <param name="Object">The last state the cache held.</param>
/// <param name="FinalStateUnknown">True when the deletion was inferred by a relist.</param>
public sealed record DeletedObject<T>(T Object, bool FinalStateUnknown);
