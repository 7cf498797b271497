using System.Net;

namespace Cetus.Client.Http;

/// <summary>
/// What client-go's request retry does for every Kubernetes client: a 429 (the API server's in-flight limit) is sent
/// again after its Retry-After, whatever the verb, since the server did not act on it; a 5xx with Retry-After is sent
/// again for reads only. At most <see cref="MaxRetries"/> retries (client-go's 10), each waiting the server's
/// Retry-After (1 s when it names none, at most <see cref="MaxWait"/>).
/// </summary>
public sealed class RetryAfterHandler(TimeProvider? time = null) : DelegatingHandler
{
    /// <summary>Retries of one request before its last answer is returned as it is.</summary>
    public const int MaxRetries = 10;

    /// <summary>The longest wait between two attempts.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // The body is sent again on a retry: it must be in memory, not a stream read once.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 0; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (attempt == MaxRetries || WaitBeforeRetry(request, response) is not { } wait)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long to wait before sending <paramref name="request"/> again, or null when its answer stands.</summary>
    public static TimeSpan? WaitBeforeRetry(HttpRequestMessage request, HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        var retry = response.StatusCode == HttpStatusCode.TooManyRequests
            || (code >= 500 && retryAfter is not null && request.Method == HttpMethod.Get && !StreamRequests.IsWatch(request));
        if (!retry)
        {
            return null;
        }

        var wait = retryAfter ?? TimeSpan.FromSeconds(1);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
    }
}
