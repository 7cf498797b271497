using Cetus.Client.WorkQueues;
using Microsoft.Extensions.Logging;

namespace Cetus.Controllers.Common;

/// <summary>
/// The worker loop every controller shares: Get a key → sync it → on failure requeue it rate-limited (5 ms, 10 ms,
/// 20 ms … for at most <see cref="MaxRetries"/> retries, then drop it until the next event; or without limit when the
/// controller says so, as upstream's namespace controller) → Done. Event handlers
/// only add keys; one key is never synced by two workers at once.
/// </summary>
public sealed class QueueWorker
{
    /// <summary>Retries of a failing key before it is dropped (5 ms × 2^15 ≈ 82 s of backoff in all).</summary>
    public const int MaxRetries = 15;

    private readonly string _name;
    private readonly Func<string, CancellationToken, Task> _sync;
    private readonly ILogger _logger;
    private readonly int? _maxRetries;

    /// <summary>Creates a worker loop named <paramref name="name"/> over <paramref name="queue"/>.</summary>
    /// <param name="name">The controller's name, for logs.</param>
    /// <param name="queue">The queue of keys.</param>
    /// <param name="sync">Syncs one key; throws to be retried.</param>
    /// <param name="logger">Where retries and drops are logged.</param>
    /// <param name="maxRetries">Retries before a key is dropped; null retries for ever (the queue's limiter bounds the delay).</param>
    public QueueWorker(string name, RateLimitingQueue queue, Func<string, CancellationToken, Task> sync, ILogger logger, int? maxRetries = MaxRetries)
    {
        _name = name;
        Queue = queue;
        _sync = sync;
        _logger = logger;
        _maxRetries = maxRetries;
    }

    /// <summary>The queue.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>Runs <paramref name="workers"/> workers until cancelled, then shuts the queue down.</summary>
    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(Queue.ShutDown);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None))).ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            string key;
            try
            {
                (key, var shutdown) = await Queue.GetAsync(cancellationToken).ConfigureAwait(false);
                if (shutdown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await _sync(key, cancellationToken).ConfigureAwait(false);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Queue.Done(key);
                return;
            }
            catch (Exception e)
            {
                if (_maxRetries is not { } max || Queue.NumRequeues(key) < max)
                {
                    // As upstream's HandleError, a failed sync is worth a warning; a conflict (a stale cache) is routine.
                    _logger.Log(ApiErrors.IsConflict(e) ? LogLevel.Information : LogLevel.Warning, "{Controller}: error syncing {Key}, retrying: {Error}", _name, key, e.Message);
                    Queue.AddRateLimited(key);
                }
                else
                {
                    _logger.LogWarning("{Controller}: dropping {Key} after {Retries} retries: {Error}", _name, key, _maxRetries, e.Message);
                    Queue.Forget(key);
                }
            }

            Queue.Done(key);
        }
    }
}
