namespace Cetus.Storage;

/// <summary>A key with its value and the revisions that created it and last modified it.</summary>
/// <param name="Key">The full key.</param>
/// <param name="Value">The stored bytes; empty for the key of a delete event.</param>
/// <param name="CreateRevision">The revision of the write that created the key.</param>
/// <param name="ModRevision">The revision of the last write to the key.</param>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);

/// <summary>What a list returns.</summary>
/// <param name="Items">The keys in key order.</param>
/// <param name="Revision">The revision the list is consistent at.</param>
/// <param name="HasMore">More keys follow the last one (the caller continues after the last key).</param>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, bool HasMore);

/// <summary>Options of <see cref="IStore.ListAsync"/>.</summary>
public sealed record ListOptions
{
    /// <summary>At most this many items; 0 means no limit.</summary>
    public long Limit { get; init; }

    /// <summary>Return only keys strictly greater than this one (the last key of the previous page).</summary>
    public string? ContinueAfterKey { get; init; }

    /// <summary>List as of this revision; 0 means the latest.</summary>
    public long Revision { get; init; }
}

/// <summary>Options of a write.</summary>
public sealed record WriteOptions
{
    /// <summary>Remove the key automatically after this time (Kubernetes keeps Events for one hour).</summary>
    public TimeSpan? TimeToLive { get; init; }
}

/// <summary>The outcome of a write.</summary>
public enum WriteStatus
{
    /// <summary>The write happened at <see cref="WriteResult.Revision"/>.</summary>
    Succeeded,

    /// <summary>A create found the key present; <see cref="WriteResult.Kv"/> is the existing value.</summary>
    AlreadyExists,

    /// <summary>A compare-and-swap found another revision; <see cref="WriteResult.Kv"/> is the current value.</summary>
    Conflict,

    /// <summary>The key does not exist.</summary>
    NotFound,
}

/// <summary>The result of a write.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Kv">The written value on success (the deleted value for a delete), the current value on a failed comparison.</param>
/// <param name="Revision">The revision of the write on success; otherwise the store's revision when it answered.</param>
public sealed record WriteResult(WriteStatus Status, KeyValue? Kv, long Revision)
{
    /// <summary>True when the write happened.</summary>
    public bool Succeeded => Status == WriteStatus.Succeeded;
}

/// <summary>The kind of a change.</summary>
public enum WatchEventType
{
    /// <summary>A key was created or updated.</summary>
    Put,

    /// <summary>A key was deleted (or expired).</summary>
    Delete,
}

/// <summary>One change seen by a watch.</summary>
/// <param name="Type">Put or delete.</param>
/// <param name="Kv">The new value; for a delete, the key with an empty value and the delete's revision.</param>
/// <param name="PrevKv">The value before the change, when there was one.</param>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv)
{
    /// <summary>The revision of the change.</summary>
    public long Revision => Kv.ModRevision;

    /// <summary>True for the put that created the key.</summary>
    public bool IsCreate => Type == WatchEventType.Put && Kv.CreateRevision == Kv.ModRevision;
}
