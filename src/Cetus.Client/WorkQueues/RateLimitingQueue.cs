namespace Cetus.Client.WorkQueues;

/// <summary>
/// A work queue of keys as client-go's: a key is in the queue at most once, is processed by one worker at a time (a
/// key added while being processed is queued again when <see cref="Done"/> is called), can be added after a delay or
/// after a rate-limited delay, and shuts down cleanly (workers get <c>shutdown = true</c>).
/// </summary>
public sealed class RateLimitingQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly HashSet<ITimer> _timers = [];
    private readonly IRateLimiter _limiter;
    private readonly TimeProvider _time;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _shuttingDown;

    /// <summary>Creates a queue; the limiter defaults to <see cref="MaxOfRateLimiter.Default"/>.</summary>
    public RateLimitingQueue(IRateLimiter? limiter = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _limiter = limiter ?? MaxOfRateLimiter.Default(_time);
    }

    /// <summary>The number of keys waiting (not counting delayed ones or those being processed).</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>True once <see cref="ShutDown"/> was called.</summary>
    public bool ShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues a key unless it is already waiting; a key being processed is queued again once done.</summary>
    public void Add(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
            Signal();
        }
    }

    /// <summary>Queues a key after <paramref name="delay"/>.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_lock)
                    {
                        _timers.Remove(timer!);
                    }

                    timer!.Dispose();
                    Add(key);
                },
                null,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues a key after the rate limiter's delay (a failure is counted).</summary>
    public void AddRateLimited(string key) => AddAfter(key, _limiter.When(key));

    /// <summary>Forgets the key's failures (call it when the key was processed successfully).</summary>
    public void Forget(string key) => _limiter.Forget(key);

    /// <summary>How many times the key was retried since it was last forgotten.</summary>
    public int NumRequeues(string key) => _limiter.NumRequeues(key);

    /// <summary>Waits for the next key; <c>Shutdown</c> is true (and the key empty) once the queue is shut down and drained.</summary>
    public async Task<(string Key, bool Shutdown)> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_queue.Count > 0)
                {
                    var key = _queue.Dequeue();
                    _processing.Add(key);
                    _dirty.Remove(key);
                    return (key, false);
                }

                if (_shuttingDown)
                {
                    return (string.Empty, true);
                }

                wait = _signal.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a key processed; if it was added meanwhile, it is queued again.</summary>
    public void Done(string key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shuttingDown)
            {
                _queue.Enqueue(key);
                Signal();
            }
        }
    }

    /// <summary>Stops accepting keys, drops delayed ones and wakes every waiting worker.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            _queue.Clear();
            _dirty.Clear();
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
            Signal();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => ShutDown();

    private void Signal()
    {
        var signal = _signal;
        _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
    }
}
