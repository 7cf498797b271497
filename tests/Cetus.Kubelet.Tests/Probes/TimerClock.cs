using System.Diagnostics;

namespace Cetus.Kubelet.Tests.Probes;

/// <summary>
/// A clock that moves only when told, with timers (so Task.Delay on it and the pod workers' resync timers work):
/// <see cref="Advance"/> moves time and fires the timers that fall due, in order.
/// </summary>
internal sealed class TimerClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The due times of the armed timers.</summary>
    public IReadOnlyList<DateTimeOffset> DueTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value)];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="by"/>, firing due timers on the way.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset end;
        lock (_lock)
        {
            end = _now + by;
        }

        while (true)
        {
            FakeTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due is { } due && due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = end;
                    return;
                }

                _now = next.Due!.Value;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }

            next.Fire();
        }
    }

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Waits (real time, bounded) until a timer is armed for <paramref name="at"/>.</summary>
    public Task WaitForTimerAsync(DateTimeOffset at, int count = 1) => WaitUntilAsync(() => DueTimes.Count(t => t == at) >= count, $"{count} timer(s) due at {at}");

    private sealed class FakeTimer(TimerClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
