using k8s;
using k8s.Models;

namespace Cetus.Client.Informers;

/// <summary>
/// A thread-safe local cache of objects by <c>namespace/name</c>, with secondary indexes (by namespace, by owner uid,
/// by node name, …) kept up to date on every change. Objects handed out are shared with every other reader: never
/// modify them; clone first (<see cref="Objects.Clone{T}"/>).
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class Indexer<T>
    where T : class, IMetadata<V1ObjectMeta>
{
    /// <summary>The index of objects by namespace.</summary>
    public const string NamespaceIndex = "namespace";

    /// <summary>The index of objects by the uid of each of their owners.</summary>
    public const string OwnerUidIndex = "owner-uid";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indexes = new(StringComparer.Ordinal);

    /// <summary>Creates a cache with the namespace and owner-uid indexes.</summary>
    public Indexer()
    {
        AddIndex(NamespaceIndex, o => [o.Metadata?.NamespaceProperty ?? string.Empty]);
        AddIndex(OwnerUidIndex, o => o.Metadata?.OwnerReferences?.Select(r => r.Uid) ?? []);
    }

    /// <summary>The number of cached objects.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an index; refuses a name already used. Existing objects are indexed at once.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexFunction)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(indexFunction);
        lock (_lock)
        {
            if (!_indexFunctions.TryAdd(name, indexFunction))
            {
                throw new InvalidOperationException($"index {name} already exists");
            }

            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indexes[name] = index;
            foreach (var (key, item) in _items)
            {
                foreach (var value in indexFunction(item))
                {
                    Bucket(index, value).Add(key);
                }
            }
        }
    }

    /// <summary>The object with this key, or null.</summary>
    public T? Get(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>The object with this namespace and name, or null.</summary>
    public T? Get(string? ns, string name) => Get(ObjectKeys.For(ns, name));

    /// <summary>Every cached object.</summary>
    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>Every cached key.</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The objects whose index <paramref name="indexName"/> holds <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index))
            {
                throw new InvalidOperationException($"no index {indexName}");
            }

            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>The objects of one namespace.</summary>
    public IReadOnlyList<T> ByNamespace(string ns) => ByIndex(NamespaceIndex, ns);

    /// <summary>Adds or replaces an object; returns the one it replaced, if any.</summary>
    public T? Upsert(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var key = ObjectKeys.Of(item);
        lock (_lock)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                Unindex(key, old);
            }

            _items[key] = item;
            foreach (var (name, function) in _indexFunctions)
            {
                foreach (var value in function(item))
                {
                    Bucket(_indexes[name], value).Add(key);
                }
            }

            return old;
        }
    }

    /// <summary>Removes the object with this key; returns it, or null when there was none.</summary>
    public T? Remove(string key)
    {
        lock (_lock)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            Unindex(key, old);
            return old;
        }
    }

    /// <summary>Replaces the whole content (after a relist); returns what was removed and what was there before each new item.</summary>
    public (IReadOnlyList<T> Removed, IReadOnlyList<(T? Old, T New)> Upserted) Replace(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_lock)
        {
            var fresh = items.ToDictionary(ObjectKeys.Of, StringComparer.Ordinal);
            var removed = _items.Keys.Where(k => !fresh.ContainsKey(k)).ToList().Select(k => Remove(k)!).ToList();
            var upserted = fresh.Values.Select(item => (Upsert(item), item)).ToList();
            return (removed, upserted);
        }
    }

    private void Unindex(string key, T item)
    {
        foreach (var (name, function) in _indexFunctions)
        {
            var index = _indexes[name];
            foreach (var value in function(item))
            {
                if (index.TryGetValue(value, out var keys))
                {
                    keys.Remove(key);
                    if (keys.Count == 0)
                    {
                        index.Remove(value);
                    }
                }
            }
        }
    }

    private static HashSet<string> Bucket(Dictionary<string, HashSet<string>> index, string value)
    {
        if (!index.TryGetValue(value, out var keys))
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            index[value] = keys;
        }

        return keys;
    }
}
