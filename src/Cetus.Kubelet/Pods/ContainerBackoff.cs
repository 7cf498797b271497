using System.Globalization;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// The restart backoff of crashing containers (CrashLoopBackOff), as client-go's flowcontrol.Backoff used by the
/// kubelet's doBackOff: one entry per pod uid + container name; the first restart waits <see cref="Initial"/> (10 s)
/// after the container finished, each later one twice the previous, at most <see cref="Max"/> (300 s). An entry not
/// renewed for twice the maximum (10 minutes — a container that ran that long) has expired: the next restart waits
/// the initial delay again, and <see cref="Collect"/> drops it. Thread-safe. The image pull backoff
/// (<see cref="Images.ImageManager"/>) is another instance, keyed by pod uid + image and measured from the failed pull
/// (<see cref="IsInBackOffSinceUpdate"/>).
/// </summary>
public sealed class ContainerBackoff(TimeProvider? time = null)
{
    /// <summary>The first delay.</summary>
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);

    /// <summary>The largest delay.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(300);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>The key of one container of one pod.</summary>
    public static string Key(string podUid, string containerName) => podUid + "/" + containerName;

    /// <summary>
    /// True while a restart of <paramref name="key"/> must wait: less than the current delay has passed since
    /// <paramref name="finishedAt"/> (when the container exited). <paramref name="remaining"/> says how long is left.
    /// </summary>
    public bool IsInBackOffSince(string key, DateTime finishedAt, out TimeSpan remaining)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_entries)
        {
            remaining = TimeSpan.Zero;
            if (!_entries.TryGetValue(key, out var entry) || HasExpired(now, entry.LastUpdate))
            {
                return false;
            }

            var elapsed = now - finishedAt;
            if (elapsed >= entry.Delay)
            {
                return false;
            }

            remaining = entry.Delay - elapsed;
            return true;
        }
    }

    /// <summary>
    /// True while less than the current delay of <paramref name="key"/> has passed since its last
    /// <see cref="Next"/> (flowcontrol's IsInBackOffSinceUpdate: the image pull backoff counts from the failed pull).
    /// <paramref name="remaining"/> says how long is left.
    /// </summary>
    public bool IsInBackOffSinceUpdate(string key, out TimeSpan remaining)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_entries)
        {
            remaining = TimeSpan.Zero;
            if (!_entries.TryGetValue(key, out var entry) || HasExpired(now, entry.LastUpdate) || now - entry.LastUpdate >= entry.Delay)
            {
                return false;
            }

            remaining = entry.Delay - (now - entry.LastUpdate);
            return true;
        }
    }

    /// <summary>Forgets <paramref name="key"/>: its next delay is the initial one (flowcontrol's Reset).</summary>
    public void Reset(string key)
    {
        lock (_entries)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>
    /// Records a restart of <paramref name="key"/> for a container that finished at <paramref name="finishedAt"/>:
    /// the next delay doubles (up to the maximum), or starts again at the initial one when the entry expired.
    /// </summary>
    public void Next(string key, DateTime finishedAt)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry) || HasExpired(finishedAt, entry.LastUpdate))
            {
                _entries[key] = new Entry(Initial, now);
                return;
            }

            _entries[key] = new Entry(TimeSpan.FromTicks(Math.Min(Max.Ticks, entry.Delay.Ticks * 2)), now);
        }
    }

    /// <summary>The current delay of <paramref name="key"/> (zero when it has none).</summary>
    public TimeSpan Get(string key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Delay : TimeSpan.Zero;
        }
    }

    /// <summary>Forgets every entry of a pod (it is gone).</summary>
    public void Forget(string podUid)
    {
        var prefix = podUid + "/";
        lock (_entries)
        {
            foreach (var key in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>Drops the expired entries (the kubelet's periodic backoff GC).</summary>
    public void Collect()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_entries)
        {
            foreach (var key in _entries.Where(e => HasExpired(now, e.Value.LastUpdate)).Select(e => e.Key).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>The number of entries (tests).</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>A duration as Go prints it (10s, 1m20s, 5m0s), as in the kubelet's messages.</summary>
    public static string GoDuration(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        if (seconds < 60)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        var hours = seconds / 3600;
        var minutes = seconds % 3600 / 60;
        var rest = (seconds % 60).ToString(CultureInfo.InvariantCulture) + "s";
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{rest}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{rest}");
    }

    // Not renewed for twice the maximum delay: the container ran long enough to start again from the initial delay.
    private static bool HasExpired(DateTime eventTime, DateTime lastUpdate) => eventTime - lastUpdate > 2 * Max;

    private readonly record struct Entry(TimeSpan Delay, DateTime LastUpdate);
}
