namespace Cetus.Scheduler.Decisions;

/// <summary>
/// The last scheduling decision of each of the most recent pods (the oldest forgotten past <see cref="Capacity"/>),
/// kept in memory by the scheduler that made them. Thread-safe: the scheduling loop records, the API server reads.
/// </summary>
public sealed class SchedulingDecisions(int capacity = SchedulingDecisions.DefaultCapacity)
{
    /// <summary>How many pods' decisions are kept by default.</summary>
    public const int DefaultCapacity = 500;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<SchedulingDecision>> _byPod = new(StringComparer.Ordinal);
    private readonly LinkedList<SchedulingDecision> _order = new();

    /// <summary>How many pods' decisions are kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Keeps a pod's latest decision (replacing its earlier one).</summary>
    public void Record(SchedulingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var key = Key(decision.Namespace, decision.Name);
        lock (_lock)
        {
            if (_byPod.Remove(key, out var earlier))
            {
                _order.Remove(earlier);
            }

            _byPod[key] = _order.AddLast(decision);
            while (_order.Count > Capacity)
            {
                var oldest = _order.First!;
                _order.RemoveFirst();
                _byPod.Remove(Key(oldest.Value.Namespace, oldest.Value.Name));
            }
        }
    }

    /// <summary>Changes a recorded decision under the lock (the binding's outcome arrives after the decision).</summary>
    public void Update(SchedulingDecision decision, Action<SchedulingDecision> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            change(decision);
        }
    }

    /// <summary>The pod's latest decision as JSON, null when none is kept.</summary>
    public byte[]? FindJson(string ns, string name)
    {
        lock (_lock)
        {
            return _byPod.TryGetValue(Key(ns, name), out var node) ? node.Value.ToJson() : null;
        }
    }

    private static string Key(string ns, string name) => ns + "/" + name;
}
