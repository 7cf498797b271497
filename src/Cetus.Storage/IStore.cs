namespace Cetus.Storage;

/// <summary>
/// The datastore contract: a revisioned key-value store with watch, in the shape of etcd v3 (and kine's backend).
/// Keys are strings under <see cref="KeyPrefix"/>, values are opaque bytes. Every successful write gets its own
/// revision from one global, strictly increasing counter; an object's resourceVersion is its modification revision.
/// </summary>
/// <remarks>
/// Expected outcomes (already exists, conflict, not found) are results, not exceptions. Invalid input and
/// history that is no longer kept raise <see cref="StoreException"/> with a distinct <see cref="StoreError"/>.
/// Implementations are safe for concurrent use.
/// </remarks>
public interface IStore : IAsyncDisposable
{
    /// <summary>Every key must start with this prefix (for example <c>/registry/</c>).</summary>
    string KeyPrefix { get; }

    /// <summary>The revision of the newest write the store has acknowledged.</summary>
    Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>The newest revision whose history has been discarded; 0 when nothing was compacted.</summary>
    Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one key; <c>null</c> when it does not exist.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the keys that start with <paramref name="prefix"/> in key order, consistent at one revision
    /// (<see cref="ListResult.Revision"/>). Throws <see cref="StoreException"/> with
    /// <see cref="StoreError.Compacted"/> for a revision older than the compaction point.
    /// </summary>
    Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Counts the keys that start with <paramref name="prefix"/>.</summary>
    Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Creates a key; <see cref="WriteStatus.AlreadyExists"/> (with the existing value) when it exists.</summary>
    Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a key's value if its modification revision is still <paramref name="expectedModRevision"/>
    /// (compare-and-swap): <see cref="WriteStatus.Conflict"/> with the current value otherwise,
    /// <see cref="WriteStatus.NotFound"/> when the key does not exist.
    /// </summary>
    Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a key, only if its modification revision is <paramref name="expectedModRevision"/> when that is given.
    /// On success <see cref="WriteResult.Kv"/> is the value that was deleted.
    /// </summary>
    Task<WriteResult> DeleteAsync(string key, long? expectedModRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change to keys under <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>, in revision order, each exactly once, until cancelled.
    /// Enumeration throws <see cref="StoreException"/> with <see cref="StoreError.Compacted"/> when the history
    /// after <paramref name="afterRevision"/> is no longer complete.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default);

    /// <summary>Discards the history up to and including <paramref name="revision"/>; the current value of every key is kept.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken = default);
}
