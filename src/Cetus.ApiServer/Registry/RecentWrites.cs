using System.Collections.Concurrent;

namespace Cetus.ApiServer.Registry;

/// <summary>
/// The objects this API server has just written, keyed by datastore key, until its watch cache sees the same
/// change come back from the datastore: the cache then takes the object as it is instead of decoding the stored
/// bytes a second time. A change written by another API server (on a shared etcd) is not here and is decoded.
/// </summary>
public sealed class RecentWrites
{
    private readonly ConcurrentDictionary<string, StoredObject> _written = new(StringComparer.Ordinal);
    private long _passed;

    /// <summary>How many written objects wait for their change to arrive.</summary>
    public int Count => _written.Count;

    /// <summary>Records an object written at its revision (a later write of the same key replaces it).</summary>
    public void Add(StoredObject written)
    {
        _written.AddOrUpdate(written.Key, written, (_, existing) => existing.Revision > written.Revision ? existing : written);
        if (Volatile.Read(ref _passed) >= written.Revision)
        {
            // The cache has already gone past this change (its event beat the write's reply): nobody will take it.
            _written.TryRemove(new KeyValuePair<string, StoredObject>(written.Key, written));
        }
    }

    /// <summary>
    /// The cache is applying the change at <paramref name="revision"/>: called before <see cref="Take"/>, so that a
    /// write recorded after this point is dropped by <see cref="Add"/> rather than kept for ever.
    /// </summary>
    public void Passing(long revision) => Interlocked.Exchange(ref _passed, revision);

    /// <summary>
    /// The object written at exactly <paramref name="revision"/> under <paramref name="key"/>, if this server wrote it;
    /// an entry for an older revision is dropped (that change has passed), a newer one is kept for its own change.
    /// </summary>
    public StoredObject? Take(string key, long revision)
    {
        if (!_written.TryGetValue(key, out var written))
        {
            return null;
        }

        if (written.Revision > revision)
        {
            return null;
        }

        _written.TryRemove(new KeyValuePair<string, StoredObject>(key, written));
        return written.Revision == revision ? written : null;
    }

    /// <summary>Forgets everything (the cache starts over from a fresh list).</summary>
    public void Clear() => _written.Clear();
}
