using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Timing;

/// <summary>
/// Runs one periodic action for many members (Lease renewals, node status reports) with the members spread evenly
/// over the period instead of all at once: the period is cut into slots of <see cref="SlotLength"/>, a member joins
/// the next slot in turn, and each slot's members run with bounded concurrency. A real kubelet has one member; a
/// process of 5,000 hollow nodes renews 500 Leases per second in small, even batches rather than 5,000 at once.
/// </summary>
/// <typeparam name="T">The member type.</typeparam>
public sealed class SpreadTicker<T>
    where T : class
{
    /// <summary>How long one slot lasts.</summary>
    public static readonly TimeSpan SlotLength = TimeSpan.FromMilliseconds(100);

    private readonly List<T>[] _slots;
    private readonly Func<T, CancellationToken, Task> _action;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _concurrency;
    private readonly ILogger _logger;
    private int _next;

    /// <summary>Creates a ticker running <paramref name="action"/> for each member once per <paramref name="period"/>.</summary>
    public SpreadTicker(TimeSpan period, Func<T, CancellationToken, Task> action, int maxConcurrency = 32, TimeProvider? time = null, ILogger? logger = null)
    {
        _action = action ?? throw new ArgumentNullException(nameof(action));
        _slots = new List<T>[Math.Max(1, (int)(period / SlotLength))];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = [];
        }

        _time = time ?? TimeProvider.System;
        _concurrency = new SemaphoreSlim(maxConcurrency);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The number of members.</summary>
    public int Count
    {
        get
        {
            lock (_slots)
            {
                return _slots.Sum(s => s.Count);
            }
        }
    }

    /// <summary>Adds a member; its first run is in the slot after the last member's.</summary>
    public void Add(T member)
    {
        lock (_slots)
        {
            _slots[_next++ % _slots.Length].Add(member);
        }
    }

    /// <summary>Removes a member.</summary>
    public void Remove(T member)
    {
        lock (_slots)
        {
            foreach (var slot in _slots)
            {
                slot.Remove(member);
            }
        }
    }

    /// <summary>Runs the slots one after another until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SlotLength, _time);
        var slot = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await RunSlotAsync(slot, cancellationToken).ConfigureAwait(false);
                slot = (slot + 1) % _slots.Length;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs every member once now (e.g. right after start), with the same bounded concurrency.</summary>
    public Task RunAllAsync(CancellationToken cancellationToken)
    {
        List<T> members;
        lock (_slots)
        {
            members = [.. _slots.SelectMany(s => s)];
        }

        return Task.WhenAll(members.Select(m => RunOneAsync(m, cancellationToken)));
    }

    private Task RunSlotAsync(int slot, CancellationToken cancellationToken)
    {
        List<T> members;
        lock (_slots)
        {
            members = [.. _slots[slot]];
        }

        // Not awaited as a whole: a slow batch must not delay the next slots.
        foreach (var member in members)
        {
            _ = RunOneAsync(member, cancellationToken);
        }

        return Task.CompletedTask;
    }

    private async Task RunOneAsync(T member, CancellationToken cancellationToken)
    {
        try
        {
            await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            await _action(member, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "periodic action failed for {Member}", member);
        }
        finally
        {
            _concurrency.Release();
        }
    }
}
