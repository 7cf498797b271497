using System.Threading.Channels;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Watch;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// Keeps the stored rules of aggregated ClusterRoles (those with an aggregationRule) equal to the union of the rules
/// of the ClusterRoles their selectors match, as kube-controller-manager's clusterrole-aggregation controller does;
/// it runs after every ClusterRole change. (The authorizer computes the same union itself, so decisions never wait
/// for this write.)
/// </summary>
internal sealed partial class ClusterRoleAggregator(RbacAuthorizer authorizer, WatchCache cache, ObjectStore objects, ResourceRegistry registry, ILogger<ClusterRoleAggregator> logger) : IAsyncDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task _loop = Task.CompletedTask;

    public void Start()
    {
        authorizer.ClusterRolesChanged += () => _signal.Writer.TryWrite(true);
        _signal.Writer.TryWrite(true);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        // The server disposes it on stop, and the service container again when it is disposed.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var definition = registry.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!;
        await foreach (var _ in _signal.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await SyncAsync(definition, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ApiException e)
            {
                LogFailed(e.Message);
                // Try again shortly (a conflict or a datastore hiccup).
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                _signal.Writer.TryWrite(true);
            }
        }
    }

    private async Task SyncAsync(ResourceDefinition definition, CancellationToken cancellationToken)
    {
        var stored = cache.List(definition, string.Empty).Items;
        var roles = stored.Select(s => (V1ClusterRole)s.Item).ToList();
        foreach (var current in stored)
        {
            var role = (V1ClusterRole)current.Item;
            if (role.Metadata.DeletionTimestamp is not null || RbacPolicy.AggregatedRules(role, roles, r => r.Rules ?? []) is not { } union || RuleEquality.Same(union, role.Rules))
            {
                continue;
            }

            var changed = (V1ClusterRole)current.Clone();
            changed.Rules = union;
            if (await objects.TryUpdateAsync(definition, current.Key, changed, current.Revision, cancellationToken).ConfigureAwait(false) is null)
            {
                // Changed meanwhile: its own watch event brings us back.
                continue;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "aggregating ClusterRoles failed ({Reason}); retrying")]
    private partial void LogFailed(string reason);
}
