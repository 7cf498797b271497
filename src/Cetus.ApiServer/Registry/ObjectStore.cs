using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.Storage;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>Typed reads and writes of API objects over the datastore, with Kubernetes' errors and latency metrics.</summary>
internal sealed class ObjectStore(IStore store, Http.ApiMetrics metrics, RecentWrites recent)
{
    /// <summary>The datastore.</summary>
    public IStore Store { get; } = store;

    /// <summary>The datastore's current revision.</summary>
    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken) =>
        Call("revision", null, () => Store.GetCurrentRevisionAsync(cancellationToken));

    /// <summary>Reads one object (consistent: from the datastore).</summary>
    public async Task<StoredObject?> GetAsync(ResourceDefinition definition, string ns, string name, CancellationToken cancellationToken)
    {
        var key = StorageKeys.Key(definition, ns, name);
        var kv = await Call("get", definition, () => Store.GetAsync(key, cancellationToken)).ConfigureAwait(false);
        return kv is null ? null : StoredObject.Decode(definition, key, kv.Value, kv.ModRevision);
    }

    /// <summary>
    /// The revision the object under <paramref name="key"/> is stored at, null when there is none: whether a copy
    /// from the watch cache is still current, without decoding the object.
    /// </summary>
    public async Task<long?> RevisionAsync(ResourceDefinition definition, string key, CancellationToken cancellationToken)
    {
        var kv = await Call("get", definition, () => Store.GetAsync(key, cancellationToken)).ConfigureAwait(false);
        return kv?.ModRevision;
    }

    /// <summary>Reads one object or answers 404.</summary>
    public async Task<StoredObject> MustGetAsync(ResourceDefinition definition, string ns, string name, CancellationToken cancellationToken) =>
        await GetAsync(definition, ns, name, cancellationToken).ConfigureAwait(false)
        ?? throw Problems.NotFound(definition.Group, definition.Plural, name);

    /// <summary>Stores a new object (409 when the name is taken).</summary>
    public async Task<StoredObject> CreateAsync(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        var key = StorageKeys.Key(definition, item.Metadata.NamespaceProperty ?? string.Empty, item.Metadata.Name);
        var value = StoredObject.Encode(definition, item);
        var write = Begin(definition, key, item, value);
        var result = await Written(write, Call("create", definition, () => Store.CreateAsync(key, value, Ttl(definition), cancellationToken))).ConfigureAwait(false);
        return result.Status == WriteStatus.Succeeded
            ? Complete(write, definition, key, item, value, result.Revision)
            : throw Problems.AlreadyExists(definition.Group, definition.Plural, item.Metadata.Name);
    }

    /// <summary>
    /// Replaces an object if it is still at <paramref name="expectedRevision"/>. Returns null on a conflict (the caller
    /// decides: 409 for a client's stale resourceVersion, a retry when it read the object itself).
    /// </summary>
    public async Task<StoredObject?> TryUpdateAsync(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, long expectedRevision, CancellationToken cancellationToken)
    {
        var value = StoredObject.Encode(definition, item);
        var write = Begin(definition, key, item, value);
        var result = await Written(write, Call("update", definition, () => Store.UpdateAsync(key, value, expectedRevision, Ttl(definition), cancellationToken))).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Succeeded => Complete(write, definition, key, item, value, result.Revision),
            WriteStatus.NotFound => throw Problems.NotFound(definition.Group, definition.Plural, item.Metadata.Name),
            _ => null,
        };
    }

    /// <summary>Deletes an object if it is still at the revision read; false on a conflict.</summary>
    public async Task<bool> TryDeleteAsync(ResourceDefinition definition, StoredObject current, CancellationToken cancellationToken)
    {
        var result = await Call("delete", definition, () => Store.DeleteAsync(current.Key, current.Revision, cancellationToken)).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Succeeded => true,
            WriteStatus.NotFound => throw Problems.NotFound(definition.Group, definition.Plural, current.Item.Metadata.Name),
            _ => false,
        };
    }

    /// <summary>Lists a page of a collection from the datastore, consistent at one revision.</summary>
    public async Task<(List<StoredObject> Items, long Revision, bool HasMore, string? LastKey)> ListAsync(
        ResourceDefinition definition, string ns, long limit, string? continueAfterKey, long revision, CancellationToken cancellationToken)
    {
        var page = await Call("list", definition, () => Store.ListAsync(StorageKeys.Prefix(definition, ns), new ListOptions { Limit = limit, ContinueAfterKey = continueAfterKey, Revision = revision }, cancellationToken)).ConfigureAwait(false);
        var items = page.Items.Select(kv => StoredObject.Decode(definition, kv.Key, kv.Value, kv.ModRevision)).ToList();
        return (items, page.Revision, page.HasMore, page.Items.Count > 0 ? page.Items[^1].Key : continueAfterKey);
    }

    // The watch cache holds objects of the stored resource: a write through a resource that shares another's
    // storage is not handed to it (the cache decodes that change itself).
    private RecentWrites.Write? Begin(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value) =>
        definition.Storage is null ? recent.Begin(definition, key, item, value) : null;

    private StoredObject Complete(RecentWrites.Write? write, ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value, long revision) =>
        write is null ? StoredObject.FromWritten(definition, key, item, value, revision) : recent.Complete(write, revision);

    // A write that did not succeed leaves no record for the watch cache.
    private async Task<WriteResult> Written(RecentWrites.Write? write, Task<WriteResult> writing)
    {
        try
        {
            var result = await writing.ConfigureAwait(false);
            if (result.Status != WriteStatus.Succeeded && write is not null)
            {
                recent.Abandon(write);
            }

            return result;
        }
        catch when (write is not null)
        {
            recent.Abandon(write);
            throw;
        }
    }

    private static WriteOptions? Ttl(ResourceDefinition definition) =>
        definition.TimeToLive is { } ttl ? new WriteOptions { TimeToLive = ttl } : null;

    private async Task<T> Call<T>(string operation, ResourceDefinition? definition, Func<Task<T>> call)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Error == StoreError.Compacted)
        {
            throw Problems.Gone($"The resourceVersion for the provided list is too old. ({e.Message})");
        }
        catch (StoreException e) when (e.Error == StoreError.FutureRevision)
        {
            throw new ApiException(Problems.Status(504, "Timeout", $"Too large resource version: {e.Message}", new V1StatusDetails { RetryAfterSeconds = 1 })) { RetryAfterSeconds = 1 };
        }
        catch (StoreException e) when (e.Error is StoreError.ValueTooLarge)
        {
            throw Problems.TooLarge(StoreOptions.DefaultMaxValueBytes);
        }
        catch (StoreException e) when (e.Error is StoreError.InvalidKey or StoreError.InvalidArgument)
        {
            throw Problems.BadRequest(e.Message);
        }
        catch (StoreException e)
        {
            throw Problems.Unavailable($"the datastore is unavailable: {e.Message}");
        }
        finally
        {
            metrics.StoreLatency.WithLabels(operation, definition?.Plural ?? string.Empty).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
