using System.Collections.Concurrent;
using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Registry;

/// <summary>
/// The objects this API server is writing, keyed by datastore key, until its watch cache sees the change come back
/// from the datastore: the cache then takes the typed object the writer already has instead of decoding the stored
/// bytes a second time. The change may reach the cache before the write's reply reaches the writer, so a write is
/// recorded before it is sent and matched by its bytes. A change written by another API server (on a shared etcd)
/// matches nothing here and is decoded.
/// </summary>
public sealed class RecentWrites
{
    private readonly ConcurrentDictionary<string, Write> _writes = new(StringComparer.Ordinal);
    private long _passed;

    /// <summary>How many writes wait for their change to arrive.</summary>
    public int Count => _writes.Count;

    /// <summary>Records a write about to be sent: <paramref name="value"/> is what <see cref="StoredObject.Encode"/> gave for <paramref name="item"/>.</summary>
    public Write Begin(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value)
    {
        var write = new Write(definition, key, item, value);
        _writes[key] = write;
        return write;
    }

    /// <summary>The write succeeded at <paramref name="revision"/>: its object, shared with the cache if it took it.</summary>
    public StoredObject Complete(Write write, long revision)
    {
        var stored = write.Resolve(revision);
        if (Volatile.Read(ref _passed) >= revision)
        {
            // The cache has already gone past this change: nobody else will take the record.
            _writes.TryRemove(new KeyValuePair<string, Write>(write.Key, write));
        }

        return stored;
    }

    /// <summary>The write failed or was refused: forget it.</summary>
    public void Abandon(Write write) => _writes.TryRemove(new KeyValuePair<string, Write>(write.Key, write));

    /// <summary>
    /// The cache is applying the change at <paramref name="revision"/>: called before <see cref="Take"/>, so that a
    /// write completed after this point is dropped by <see cref="Complete"/> rather than kept for ever.
    /// </summary>
    public void Passing(long revision) => Interlocked.Exchange(ref _passed, revision);

    /// <summary>The object of a change at <paramref name="revision"/> storing <paramref name="value"/> under <paramref name="key"/>, if this server wrote it.</summary>
    public StoredObject? Take(string key, long revision, byte[] value)
    {
        if (!_writes.TryGetValue(key, out var write) || !(ReferenceEquals(write.Value, value) || write.Value.AsSpan().SequenceEqual(value)))
        {
            return null;
        }

        _writes.TryRemove(new KeyValuePair<string, Write>(key, write));
        return write.Resolve(revision);
    }

    /// <summary>Forgets everything (the cache starts over from a fresh list).</summary>
    public void Clear() => _writes.Clear();

    /// <summary>One write in flight.</summary>
    public sealed class Write
    {
        private readonly Lock _gate = new();
        private readonly ResourceDefinition _definition;
        private readonly IKubernetesObject<V1ObjectMeta> _item;
        private StoredObject? _stored;

        internal Write(ResourceDefinition definition, string key, IKubernetesObject<V1ObjectMeta> item, byte[] value)
        {
            _definition = definition;
            _item = item;
            Key = key;
            Value = value;
        }

        /// <summary>The datastore key.</summary>
        public string Key { get; }

        /// <summary>The bytes written.</summary>
        public byte[] Value { get; }

        // The first to ask (the writer or the cache) wraps the typed object; the other gets the same instance. The
        // same bytes at another revision (another writer stored identical content) get an object of their own.
        internal StoredObject Resolve(long revision)
        {
            lock (_gate)
            {
                if (_stored is null)
                {
                    _stored = StoredObject.FromWritten(_definition, Key, _item, Value, revision);
                    return _stored;
                }

                return _stored.Revision == revision ? _stored : StoredObject.Decode(_definition, Key, Value, revision);
            }
        }
    }
}
