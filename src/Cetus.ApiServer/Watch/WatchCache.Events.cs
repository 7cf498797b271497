using System.Threading.Channels;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.Storage;

namespace Cetus.ApiServer.Watch;

/// <summary>The kind of a change, as the watch wire format names it.</summary>
public enum CacheEventType
{
    /// <summary>ADDED.</summary>
    Added,

    /// <summary>MODIFIED.</summary>
    Modified,

    /// <summary>DELETED.</summary>
    Deleted,
}

/// <summary>One change to one object, with the object after it (for a delete: the last state, at the delete's revision).</summary>
/// <param name="Type">Added, modified or deleted.</param>
/// <param name="Object">The object after the change.</param>
/// <param name="Previous">The object before the change, if any (selectors decide on both).</param>
/// <param name="Revision">The change's revision.</param>
public sealed record CacheEvent(CacheEventType Type, StoredObject Object, StoredObject? Previous, long Revision);

public sealed partial class WatchCache
{
    /// <summary>
    /// Starts a watch on a resource (one namespace or all) for changes after <paramref name="afterRevision"/>;
    /// 0 means "from now". Throws <see cref="Errors.ApiException"/> 410 when that revision has left the window.
    /// </summary>
    public CacheWatcher Watch(ResourceDefinition definition, string ns, long afterRevision)
    {
        var prefix = StorageKeys.Prefix(definition, ns);
        var watcher = new CacheWatcher(this, definition, prefix, WatcherBuffer);
        lock (_gate)
        {
            if (afterRevision == 0)
            {
                afterRevision = _revision;
            }

            if (afterRevision < _oldestRevision)
            {
                throw Errors.Problems.Gone($"too old resource version: {afterRevision} ({_oldestRevision})");
            }

            // Replay the window's changes after the revision, then the watcher receives live ones.
            for (long i = 0; i < _windowCount; i++)
            {
                var change = _window[(_windowStart + i) % WindowCapacity]!;
                if (change.Revision > afterRevision && change.Object.Definition == definition.Stored && change.Object.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    watcher.Offer(change);
                }
            }

            watcher.StartRevision = Math.Max(afterRevision, _revision);
            _watchers.Add(watcher);
        }

        return watcher;
    }

    internal void Remove(CacheWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    private void Apply(WatchEvent change)
    {
        var definition = Resolve(change.Kv.Key);
        // Decoding is the costly part: done before taking the lock that readers and watchers share.
        // An object this server wrote itself arrives decoded already.
        _recent.Passing(change.Revision);
        var decoded = definition is not null && change.Type == WatchEventType.Put
            ? _recent.Take(change.Kv.Key, change.Revision, change.Kv.Value) ?? StoredObject.Decode(definition, change.Kv.Key, change.Kv.Value, change.Revision)
            : null;
        lock (_gate)
        {
            _revision = change.Revision;
            if (definition is not null)
            {
                var objects = _objects[definition];
                var previous = objects.GetValueOrDefault(change.Kv.Key);
                CacheEvent cached;
                if (decoded is { } current)
                {
                    objects[change.Kv.Key] = current;
                    cached = new CacheEvent(previous is null ? CacheEventType.Added : CacheEventType.Modified, current, previous, change.Revision);
                }
                else
                {
                    objects.Remove(change.Kv.Key);
                    var last = previous ?? (change.PrevKv is { } prev ? StoredObject.Decode(definition, prev.Key, prev.Value, prev.ModRevision) : null);
                    // A deleted object is reported with the delete's revision, as kube-apiserver does.
                    cached = last is null ? null! : new CacheEvent(CacheEventType.Deleted, last.AtRevision(change.Revision), previous, change.Revision);
                }

                if (cached is not null)
                {
                    Append(cached);
                    foreach (var watcher in _watchers)
                    {
                        if (watcher.Definition.Stored == definition && change.Kv.Key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
                        {
                            watcher.Offer(cached);
                        }
                    }
                }
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Revision <= _revision)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void Append(CacheEvent change)
    {
        if (_windowCount == WindowCapacity)
        {
            // The oldest change leaves the window: watches from before it now get 410 Gone.
            _oldestRevision = _window[_windowStart]!.Revision;
            _windowStart = (_windowStart + 1) % WindowCapacity;
            _windowCount--;
        }

        _window[(_windowStart + _windowCount) % WindowCapacity] = change;
        _windowCount++;
    }
}

/// <summary>One client's watch on the cache: a bounded buffer the HTTP handler drains.</summary>
public sealed class CacheWatcher : IDisposable
{
    private readonly WatchCache _cache;

    internal CacheWatcher(WatchCache cache, ResourceDefinition definition, string prefix, int capacity)
    {
        _cache = cache;
        Definition = definition;
        Prefix = prefix;
        Channel = System.Threading.Channels.Channel.CreateBounded<CacheEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>The resource watched.</summary>
    public ResourceDefinition Definition { get; }

    /// <summary>The key prefix watched.</summary>
    public string Prefix { get; }

    /// <summary>The revision the watch started after (for the initial bookmark).</summary>
    public long StartRevision { get; internal set; }

    /// <summary>True when the watcher fell too far behind and must be ended with 410 Gone.</summary>
    public bool Expired { get; private set; }

    internal Channel<CacheEvent> Channel { get; }

    /// <summary>The changes, until the watcher is ended.</summary>
    public ChannelReader<CacheEvent> Events => Channel.Reader;

    /// <inheritdoc />
    public void Dispose()
    {
        _cache.Remove(this);
        Channel.Writer.TryComplete();
    }

    internal void Offer(CacheEvent change)
    {
        if (change.Object.Definition != Definition)
        {
            // A resource sharing another's storage sees its changes converted.
            change = change with { Object = change.Object.As(Definition), Previous = change.Previous?.As(Definition) };
        }

        if (!Channel.Writer.TryWrite(change))
        {
            // A client that does not keep up is cut off, as kube-apiserver does; it relists.
            Expire();
        }
    }

    internal void Expire()
    {
        Expired = true;
        Channel.Writer.TryComplete();
    }
}
