using Cetus.ApiServer.Errors;

namespace Cetus.ApiServer.Http;

/// <summary>
/// kube-apiserver's max-in-flight limits: at most 400 reads and 200 mutations at once (watches are long-running and
/// not counted); past that a request is refused at once with 429 and Retry-After, instead of queueing without bound.
/// </summary>
internal sealed class InFlightLimits
{
    public const int MaxReads = 400;
    public const int MaxMutations = 200;

    private int _reads;
    private int _mutations;

    public IDisposable? Enter(RequestLabels labels, ApiMetrics metrics)
    {
        // Long-running requests are not counted, as kube-apiserver's long-running check: watches and the streaming
        // subresources (a followed log or an interactive shell may last hours).
        if (labels.Verb == "WATCH" || labels.Subresource is "log" or "exec" or "attach" or "portforward" or "proxy")
        {
            return null;
        }

        var mutating = labels.IsMutating;
        var count = mutating ? Interlocked.Increment(ref _mutations) : Interlocked.Increment(ref _reads);
        var slot = new Slot(this, mutating);
        if (count > (mutating ? MaxMutations : MaxReads))
        {
            slot.Dispose();
            metrics.Dropped.WithLabels(mutating ? "mutating" : "readOnly").Inc();
            throw Problems.TooManyRequests("Too many requests, please try again later.", 1);
        }

        return slot;
    }

    private sealed class Slot(InFlightLimits owner, bool mutating) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _ = mutating ? Interlocked.Decrement(ref owner._mutations) : Interlocked.Decrement(ref owner._reads);
            }
        }
    }
}
