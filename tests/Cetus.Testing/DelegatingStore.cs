using Cetus.Storage;

namespace Cetus.Testing;

/// <summary>
/// A datastore that passes every call to <paramref name="inner"/>: tests derive from it to change one call (make keys
/// collide, hold back watch events, count reads) and leave the rest as the real store does it.
/// </summary>
public class DelegatingStore(IStore inner) : IStore
{
    /// <summary>The wrapped store.</summary>
    protected IStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc/>
    public virtual string KeyPrefix => Inner.KeyPrefix;

    /// <inheritdoc/>
    public virtual Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default) => Inner.GetCurrentRevisionAsync(cancellationToken);

    /// <inheritdoc/>
    public virtual Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default) => Inner.GetCompactRevisionAsync(cancellationToken);

    /// <inheritdoc/>
    public virtual Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => Inner.GetAsync(key, cancellationToken);

    /// <inheritdoc/>
    public virtual Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, options, cancellationToken);

    /// <inheritdoc/>
    public virtual Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => Inner.CountAsync(prefix, cancellationToken);

    /// <inheritdoc/>
    public virtual Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default) => Inner.CreateAsync(key, value, options, cancellationToken);

    /// <inheritdoc/>
    public virtual Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, WriteOptions? options = null, CancellationToken cancellationToken = default) => Inner.UpdateAsync(key, value, expectedModRevision, options, cancellationToken);

    /// <inheritdoc/>
    public virtual Task<WriteResult> DeleteAsync(string key, long? expectedModRevision = null, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, expectedModRevision, cancellationToken);

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default) => Inner.WatchAsync(prefix, afterRevision, cancellationToken);

    /// <inheritdoc/>
    public virtual Task CompactAsync(long revision, CancellationToken cancellationToken = default) => Inner.CompactAsync(revision, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
