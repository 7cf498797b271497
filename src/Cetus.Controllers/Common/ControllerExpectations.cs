namespace Cetus.Controllers.Common;

/// <summary>
/// What a controller expects to see in its informer after its own writes (pkg/controller's
/// UIDTrackingControllerExpectations): a number of creations and a set of pod keys to be deleted. Until the watch has
/// shown all of them, or the expectations are five minutes old, the controller does not act on the (stale) cache
/// again, so a slow watch never causes double creates or double deletes.
/// </summary>
public sealed class ControllerExpectations
{
    /// <summary>Expectations older than this are considered satisfied (a lost watch event must not block a controller for ever).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty set of expectations.</summary>
    public ControllerExpectations(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>True when the controller may sync <paramref name="controllerKey"/>: nothing pending, or expired, or never set.</summary>
    public bool Satisfied(string controllerKey)
    {
        lock (_entries)
        {
            return !_entries.TryGetValue(controllerKey, out var e)
                || (e.Adds <= 0 && e.Deletes.Count == 0)
                || _time.GetUtcNow() - e.Timestamp > Timeout;
        }
    }

    /// <summary>Expects <paramref name="adds"/> creations (replacing earlier expectations).</summary>
    public void ExpectCreations(string controllerKey, int adds)
    {
        lock (_entries)
        {
            _entries[controllerKey] = new Entry(adds, [], _time.GetUtcNow());
        }
    }

    /// <summary>Expects the deletion of these pod keys (replacing earlier expectations).</summary>
    public void ExpectDeletions(string controllerKey, IEnumerable<string> podKeys)
    {
        lock (_entries)
        {
            _entries[controllerKey] = new Entry(0, new HashSet<string>(podKeys, StringComparer.Ordinal), _time.GetUtcNow());
        }
    }

    /// <summary>One creation was seen (or will never happen: a create failed).</summary>
    public void CreationObserved(string controllerKey)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(controllerKey, out var e))
            {
                _entries[controllerKey] = e with { Adds = e.Adds - 1 };
            }
        }
    }

    /// <summary>The deletion of <paramref name="podKey"/> was seen (or will never happen: a delete failed).</summary>
    public void DeletionObserved(string controllerKey, string podKey)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(controllerKey, out var e))
            {
                e.Deletes.Remove(podKey);
            }
        }
    }

    /// <summary>Forgets a controller's expectations (it was deleted).</summary>
    public void Delete(string controllerKey)
    {
        lock (_entries)
        {
            _entries.Remove(controllerKey);
        }
    }

    /// <summary>The pending (adds, deletes) of a controller, for tests and logs.</summary>
    public (int Adds, int Deletes) Pending(string controllerKey)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(controllerKey, out var e) ? (e.Adds, e.Deletes.Count) : (0, 0);
        }
    }

    private sealed record Entry(int Adds, HashSet<string> Deletes, DateTimeOffset Timestamp);
}
