using System.Text;
using System.Threading.Channels;
using Cetus.Api.Bootstrap;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Watch;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Keeps the signatures of <c>kube-public/cluster-info</c> current, as kube-controller-manager's bootstrapsigner
/// controller does: one <c>jws-kubeconfig-&lt;id&gt;</c> per bootstrap token Secret of kube-system that is marked
/// <c>usage-bootstrap-signing: "true"</c> and has not expired, none for the others. It follows the watch cache of both
/// resources and writes only when a signature is missing, stale or extra. It runs in the API server (like the
/// ClusterRole aggregator), so the controller manager needs no right to read token Secrets.
/// </summary>
internal sealed partial class BootstrapSigner(WatchCache cache, ObjectStore objects, ResourceRegistry registry, TimeProvider time, ILogger<BootstrapSigner> logger) : IAsyncDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private int _disposed;

    public void Start()
    {
        var secrets = registry.Find(string.Empty, "v1", "secrets")!;
        var configMaps = registry.Find(string.Empty, "v1", "configmaps")!;
        _loops.Add(Task.Run(() => FollowAsync(secrets, BootstrapTokens.Namespace, _stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => FollowAsync(configMaps, ClusterInfo.Namespace, _stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => RunAsync(secrets, configMaps, _stopping.Token), CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    /// <summary>The signatures cluster-info should carry for <paramref name="content"/>, by key.</summary>
    public static SortedDictionary<string, string> Signatures(string content, IEnumerable<V1Secret> secrets, DateTimeOffset now)
    {
        var signatures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            if (secret.Type != BootstrapTokens.SecretType || secret.Metadata?.DeletionTimestamp is not null
                || Value(secret, BootstrapTokens.UsageSigningKey) != "true"
                || Value(secret, BootstrapTokens.IdKey) is not { } id || Value(secret, BootstrapTokens.SecretKey) is not { } token
                || secret.Metadata?.Name != BootstrapTokens.SecretPrefix + id
                || (Value(secret, BootstrapTokens.ExpirationKey) is { } expiration
                    && (!DateTimeOffset.TryParse(expiration, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var expires) || expires <= now)))
            {
                continue;
            }

            signatures[ClusterInfo.SignaturePrefix + id] = ClusterInfo.Sign(content, id, token);
        }

        return signatures;
    }

    private static string? Value(V1Secret secret, string key) =>
        secret.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : (secret.StringData?.TryGetValue(key, out var text) == true ? text : null);

    private async Task FollowAsync(ResourceDefinition definition, string ns, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var watcher = cache.Watch(definition, ns, 0);
                _signal.Writer.TryWrite(true);
                while (await watcher.Events.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (watcher.Events.TryRead(out _))
                    {
                    }

                    _signal.Writer.TryWrite(true);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Errors.ApiException e)
            {
                LogFailed(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(ResourceDefinition secrets, ResourceDefinition configMaps, CancellationToken cancellationToken)
    {
        await foreach (var _ in _signal.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await SyncAsync(secrets, configMaps, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ApiException e)
            {
                LogFailed(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                _signal.Writer.TryWrite(true);
            }
        }
    }

    private async Task SyncAsync(ResourceDefinition secrets, ResourceDefinition configMaps, CancellationToken cancellationToken)
    {
        var current = cache.Get(configMaps, StorageKeys.Key(configMaps, ClusterInfo.Namespace, ClusterInfo.Name));
        if (current?.Item is not V1ConfigMap info || info.Metadata.DeletionTimestamp is not null || info.Data?.TryGetValue(ClusterInfo.KubeconfigKey, out var content) != true || content is null)
        {
            return;
        }

        var wanted = Signatures(content, cache.List(secrets, BootstrapTokens.Namespace).Items.Select(s => s.Item).OfType<V1Secret>(), time.GetUtcNow());
        var present = info.Data.Where(p => p.Key.StartsWith(ClusterInfo.SignaturePrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (present.Count == wanted.Count && wanted.All(w => present.GetValueOrDefault(w.Key) == w.Value))
        {
            return;
        }

        var changed = (V1ConfigMap)current.Clone();
        changed.Data = changed.Data.Where(p => !p.Key.StartsWith(ClusterInfo.SignaturePrefix, StringComparison.Ordinal)).Concat(wanted).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        // Changed meanwhile: its own watch event brings us back.
        await objects.TryUpdateAsync(configMaps, current.Key, changed, current.Revision, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "signing cluster-info failed ({Reason}); retrying")]
    private partial void LogFailed(string reason);
}
