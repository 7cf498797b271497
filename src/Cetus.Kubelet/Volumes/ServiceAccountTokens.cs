using System.Collections.Concurrent;
using Cetus.Kubelet.Api;

namespace Cetus.Kubelet.Volumes;

/// <summary>
/// Tokens of projected serviceAccountToken volumes (Kubernetes' kubelet token manager): one TokenRequest per pod,
/// service account, audience and lifetime, kept until 80 % of its lifetime (or 24 h) has passed, then requested again.
/// </summary>
public sealed class ServiceAccountTokens(IKubeletClient? client, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);

    /// <summary>A token for the pod, fresh enough to hand out.</summary>
    public async Task<string> GetAsync(string ns, string serviceAccount, string? audience, long expirationSeconds, string podName, string podUid, CancellationToken cancellationToken)
    {
        var key = string.Join('\0', podUid, serviceAccount, audience ?? string.Empty, expirationSeconds);
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && now < cached.RefreshAt)
        {
            return cached.Token;
        }

        if (client is null)
        {
            throw new InvalidOperationException("no API client to request service account tokens with");
        }

        var response = await client.CreateServiceAccountTokenAsync(ns, serviceAccount, audience is { Length: > 0 } a ? [a] : [], expirationSeconds, podName, podUid, cancellationToken).ConfigureAwait(false);
        var token = response.Status?.Token ?? throw new InvalidOperationException($"the TokenRequest for {ns}/{serviceAccount} returned no token");
        var expires = response.Status.ExpirationTimestamp is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : now.AddSeconds(expirationSeconds);
        var lifetime = expires - now;
        var refresh = now + TimeSpan.FromTicks(Math.Min(lifetime.Ticks * 8 / 10, TimeSpan.FromHours(24).Ticks));
        _tokens[key] = new Entry(token, refresh);
        return token;
    }

    /// <summary>Forgets the pod's tokens.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.StartsWith(podUid + "\0", StringComparison.Ordinal)))
        {
            _tokens.TryRemove(key, out _);
        }
    }

    private sealed record Entry(string Token, DateTimeOffset RefreshAt);
}
