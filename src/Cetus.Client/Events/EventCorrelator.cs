using k8s.Models;

namespace Cetus.Client.Events;

/// <summary>
/// What client-go's EventCorrelator decides before an event is written (tools/record/events_cache.go):
/// <list type="bullet">
/// <item>an event seen before (same source, object, field path, type, reason and message) bumps the count of the
/// first one instead of making a new one;</item>
/// <item>the 10th distinct message with the same source, object, type and reason within 10 minutes turns into one
/// aggregate event, <c>(combined from similar events): MESSAGE</c>, whose count grows from then on (a ReplicaSet's
/// <c>Created pod: …</c> events);</item>
/// <item>a source may write 25 events about one object, then one more every 5 minutes (a token bucket per source
/// and object); the rest are dropped.</item>
/// </list>
/// Not thread-safe: the recorder's writer loop is its only caller.
/// </summary>
public sealed class EventCorrelator(TimeProvider time)
{
    /// <summary>Distinct messages (same source, object, type and reason) before they are combined into one event.</summary>
    public const int AggregateMaxEvents = 10;

    /// <summary>Events about one object a source may write at once.</summary>
    public const int SpamBurst = 25;

    /// <summary>How long a similar event counts towards aggregation.</summary>
    public static readonly TimeSpan AggregateInterval = TimeSpan.FromMinutes(10);

    /// <summary>How often one more event about an object is allowed once its burst is spent.</summary>
    public static readonly TimeSpan SpamRefill = TimeSpan.FromMinutes(5);

    private const string CombinedPrefix = "(combined from similar events): ";
    private const int MaxEntries = 4096;

    private readonly Dictionary<string, (HashSet<string> Messages, DateTimeOffset Last)> _aggregates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Name, int Count)> _observed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> _buckets = new(StringComparer.Ordinal);

    /// <summary>
    /// Decides what to write for one event of <paramref name="component"/> (on <paramref name="host"/>): nothing
    /// (<see cref="Correlation.Skip"/>), a new event, or a new count for the event already named.
    /// </summary>
    public Correlation Correlate(string component, string? host, V1ObjectReference involved, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        var now = time.GetUtcNow();
        var source = string.Join('\u0000', component, host, involved.Kind, involved.NamespaceProperty, involved.Name, involved.Uid, involved.ApiVersion);

        // Aggregation: distinct messages about the same thing become one combined event.
        var aggregateKey = string.Join('\u0000', source, type, reason);
        var key = string.Join('\u0000', source, involved.FieldPath, type, reason, message);
        if (!_aggregates.TryGetValue(aggregateKey, out var aggregate) || now - aggregate.Last > AggregateInterval)
        {
            aggregate = ([], now);
        }

        aggregate.Messages.Add(message);
        if (aggregate.Messages.Count >= AggregateMaxEvents)
        {
            // Upstream drops one remembered message so the set never grows past the limit.
            aggregate.Messages.Remove(aggregate.Messages.First());
            message = CombinedPrefix + message;
            key = aggregateKey;
        }

        Remember(_aggregates, aggregateKey, (aggregate.Messages, now));

        // Counting: the same event again is a new count of the first one (even when the spam filter drops it).
        var observed = _observed.GetValueOrDefault(key);
        var correlation = new Correlation(key, message, observed.Name, observed.Count + 1, Skip: !TakeToken(source, now));
        Remember(_observed, key, (observed.Name, observed.Count + 1));
        return correlation;
    }

    /// <summary>The event for <paramref name="key"/> was written under <paramref name="name"/>.</summary>
    public void Written(string key, string name)
    {
        if (_observed.TryGetValue(key, out var observed))
        {
            _observed[key] = (name, observed.Count);
        }
    }

    /// <summary>The event for <paramref name="key"/> is gone from the server: the next one starts a new event.</summary>
    public void Forget(string key) => _observed.Remove(key);

    private bool TakeToken(string source, DateTimeOffset now)
    {
        var (tokens, at) = _buckets.TryGetValue(source, out var bucket) ? bucket : (SpamBurst, now);
        tokens = Math.Min(SpamBurst, tokens + ((now - at) / SpamRefill));
        var allowed = tokens >= 1;
        Remember(_buckets, source, (allowed ? tokens - 1 : tokens, now));
        return allowed;
    }

    // The caches are bounded as upstream's LRUs (4,096 entries); when full they start over.
    private static void Remember<T>(Dictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxEntries && !cache.ContainsKey(key))
        {
            cache.Clear();
        }

        cache[key] = value;
    }
}

/// <summary>What to write for one event.</summary>
/// <param name="Key">The event's identity for <see cref="EventCorrelator.Written"/> and <see cref="EventCorrelator.Forget"/>.</param>
/// <param name="Message">The message to write (the combined form once similar events are aggregated).</param>
/// <param name="ExistingName">The name of the event this one counts again, or null for a new event.</param>
/// <param name="Count">The event's count with this occurrence.</param>
/// <param name="Skip">True when the spam filter drops it.</param>
public readonly record struct Correlation(string Key, string Message, string? ExistingName, int Count, bool Skip);
