namespace Cetus.Client.WorkQueues;

/// <summary>Decides how long an item waits before it is retried (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter
{
    /// <summary>The delay before <paramref name="item"/> may be processed again; counts a failure.</summary>
    TimeSpan When(string item);

    /// <summary>Forgets the failures of <paramref name="item"/> (it succeeded).</summary>
    void Forget(string item);

    /// <summary>How many times <paramref name="item"/> was retried since it was last forgotten.</summary>
    int NumRequeues(string item);
}

/// <summary>Per-item exponential backoff: base × 2^failures, capped.</summary>
public sealed class ItemExponentialRateLimiter : IRateLimiter
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _max;
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>Creates a limiter: the first retry waits <paramref name="baseDelay"/>, each next one twice as long, up to <paramref name="maxDelay"/>.</summary>
    public ItemExponentialRateLimiter(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        _base = baseDelay;
        _max = maxDelay;
    }

    /// <inheritdoc/>
    public TimeSpan When(string item)
    {
        lock (_failures)
        {
            var failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
            var delay = _base.TotalMilliseconds * Math.Pow(2, failures);
            return delay >= _max.TotalMilliseconds ? _max : TimeSpan.FromMilliseconds(delay);
        }
    }

    /// <inheritdoc/>
    public void Forget(string item)
    {
        lock (_failures)
        {
            _failures.Remove(item);
        }
    }

    /// <inheritdoc/>
    public int NumRequeues(string item)
    {
        lock (_failures)
        {
            return _failures.GetValueOrDefault(item);
        }
    }
}

/// <summary>An overall token bucket: <c>qps</c> tokens a second, up to <c>burst</c> at once, shared by every item.</summary>
public sealed class TokenBucketRateLimiter : IRateLimiter
{
    private readonly double _qps;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _last;

    /// <summary>Creates a full bucket.</summary>
    public TokenBucketRateLimiter(double qps, int burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _qps = qps;
        _burst = burst;
        _tokens = burst;
        _time = time ?? TimeProvider.System;
        _last = _time.GetTimestamp();
    }

    /// <inheritdoc/>
    public TimeSpan When(string item)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _qps));
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    /// <inheritdoc/>
    public void Forget(string item)
    {
    }

    /// <inheritdoc/>
    public int NumRequeues(string item) => 0;
}

/// <summary>The longest delay of several limiters.</summary>
public sealed class MaxOfRateLimiter : IRateLimiter
{
    private readonly IRateLimiter[] _limiters;

    /// <summary>Combines limiters.</summary>
    public MaxOfRateLimiter(params IRateLimiter[] limiters) => _limiters = limiters;

    /// <summary>
    /// client-go's DefaultControllerRateLimiter: per item 5 ms, 10 ms, 20 ms … capped at 1000 s, and overall 10 retries
    /// a second with bursts of 100.
    /// </summary>
    public static MaxOfRateLimiter Default(TimeProvider? time = null) => new(
        new ItemExponentialRateLimiter(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
        new TokenBucketRateLimiter(10, 100, time));

    /// <inheritdoc/>
    public TimeSpan When(string item) => _limiters.Select(l => l.When(item)).Max();

    /// <inheritdoc/>
    public void Forget(string item)
    {
        foreach (var limiter in _limiters)
        {
            limiter.Forget(item);
        }
    }

    /// <inheritdoc/>
    public int NumRequeues(string item) => _limiters.Max(l => l.NumRequeues(item));
}
