namespace Cetus.Client.Http;

/// <summary>
/// Keeps one client's requests in flight under a bound, so that a burst (a ReplicaSet's slow-start batch of 256
/// creates) waits its turn here instead of passing the API server's in-flight limit (200 mutations) and coming back
/// as 429s. client-go bounds a client by a rate (QPS); a bound on concurrency keeps the burst as fast as the server
/// can take it. Watches and other streams are not counted: they stay open for minutes.
/// </summary>
public sealed class InFlightLimitHandler(int maxInFlight = InFlightLimitHandler.DefaultMaxInFlight) : DelegatingHandler
{
    /// <summary>Half the API server's mutation limit, so two busy components together stay under it.</summary>
    public const int DefaultMaxInFlight = 100;

    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (StreamRequests.IsStream(request))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _slots.Dispose();
        }

        base.Dispose(disposing);
    }
}
